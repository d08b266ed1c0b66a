/** /admin/emails data: what the drain and the webhooks recorded on each email, and the suppressed addresses. */
import { describe, expect, it } from "vitest";
import { createElement } from "react";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { adminCaller } from "@/test/email";
import { callerFor, createUser } from "@/test/factories";
import { emailOutbox, emailSuppressions } from "@/server/db/schema";
import { queueEmail } from "./outbox";

const t = useTestDatabase();

describe("admin.emails", () => {
  it("lists stream, attempts, last error, provider message id and delivery status, and the suppressed addresses", async () => {
    const admin = await adminCaller();
    const id = await queueEmail(t.db, { to: "ann@example.com", kind: "signal_closed", subject: "Closed", template: createElement("p", null, "x"), stream: "notification", unsubscribeUrl: "https://tradsy.example/api/unsubscribe/x" });
    await t.db.update(emailOutbox).set({ status: "sent", attempts: 2, lastError: "Resend did not take the email (503 internal_server_error)", providerMessageId: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", deliveryStatus: "delivered" }).where(eq(emailOutbox.id, id));
    await t.db.insert(emailSuppressions).values([{ email: "gone@example.com", reason: "bounced" }, { email: "angry@example.com", reason: "complained" }]);

    const page = await admin.admin.emails({ page: 1, pageSize: 25 });
    expect(page.items.find((e) => e.id === id)).toMatchObject({
      stream: "notification",
      attempts: 2,
      lastError: "Resend did not take the email (503 internal_server_error)",
      providerMessageId: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c",
      deliveryStatus: "delivered",
    });
    expect(page.suppressions.total).toBe(2);
    expect(page.suppressions.recent.map((s) => s.email).sort()).toEqual(["angry@example.com", "gone@example.com"]);
    expect(await admin.admin.email({ id })).toMatchObject({ stream: "notification", attempts: 2, providerMessageId: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", deliveryStatus: "delivered" });
  });

  it("is for admins only", async () => {
    const trader = await callerFor(await createUser("subscriber"));
    await expect(trader.admin.emails({ page: 1, pageSize: 25 })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
