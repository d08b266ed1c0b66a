/**
 * The admin email page's server rendering (issue 9, defect 7): with a real sender the page never carries a one-time
 * token; without one (the outbox is the only mailbox) it carries the working link under a development-only label.
 */
import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser } from "@/test/factories";
import { emailOutbox } from "@/server/db/schema";
import { requestPasswordReset, resetPassword } from "@/server/services/auth";
import { serviceContext } from "@/server/services/context";

const as: { caller: unknown } = { caller: null };
// The page's own guard and its in-process caller, pointed at a test admin (access control has its own tests).
vi.mock("@/server/auth/guards", () => ({ requireAdmin: async () => ({ id: "usr_admin", role: "admin" }) }));
vi.mock("@/trpc/server", () => ({ api: async () => as.caller }));

const { default: AdminEmailPage } = await import("./page");

const t = useTestDatabase();

async function renderResetEmail() {
  as.caller = await callerFor(await createUser("admin"));
  const u = await createUser("subscriber");
  await requestPasswordReset(serviceContext(), u.email);
  const [row] = await t.db.select().from(emailOutbox).where(eq(emailOutbox.kind, "reset_password"));
  return renderToStaticMarkup(await AdminEmailPage({ params: Promise.resolve({ id: row!.id }) }));
}

const resetTokens = (html: string) => [...html.matchAll(/\/reset\?token=([A-Za-z0-9_%-]+)/g)].map((m) => decodeURIComponent(m[1]!));

describe("/admin/emails/[id]", () => {
  it("is a 404 (notFound()) for an id that names no email, a malformed one too", async () => {
    as.caller = await callerFor(await createUser("admin"));
    for (const id of ["eml_00000000000000000000", "x".repeat(65), "eml_\u0000", "../emails", "eml_ü"]) {
      await expect(AdminEmailPage({ params: Promise.resolve({ id }) }), id).rejects.toMatchObject({ digest: "NEXT_HTTP_ERROR_FALLBACK;404" });
    }
  });

  it("with a real email sender, renders no one-time token and says where the link went", async () => {
    const { setEmailSender } = await import("@/server/services/email/delivery");
    setEmailSender({ name: "fake", send: async () => ({ providerMessageId: "fake-id" }) });
    const html = await renderResetEmail().finally(() => setEmailSender(undefined));
    expect(resetTokens(html)).toEqual([]);
    expect(html).toContain("link removed: one-time link, only in the recipient");
    expect(html).not.toContain("Development-only");
  });

  it("without a sender, renders the working link under a development-only label", async () => {
    const html = await renderResetEmail();
    expect(html).toContain("Development-only mailbox");
    const tokens = resetTokens(html);
    expect(tokens.length).toBeGreaterThan(0);
    await expect(resetPassword(serviceContext(), tokens[0]!, "picked from the dev mailbox")).resolves.toBeUndefined();
  });
});
