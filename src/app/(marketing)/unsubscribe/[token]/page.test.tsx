/**
 * The unsubscribe page's server rendering, without signing in: a forged or revoked link says so and shows no
 * preferences; a valid one shows the masked address, what the email was about, the one-click form (which also works
 * before JavaScript: it posts the RFC 8058 body to the email's link) and every choice; a digest subscriber sees the
 * weekly digest; a recipient since deleted is told nothing more is sent.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import type { ReactNode } from "react";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { db } from "@/server/db";
import { digestSubscribers, users } from "@/server/db/schema";
import { unsubscribeToken } from "@/server/services/email/unsubscribe-link";
import { revokeUnsubscribeLinks } from "@/server/services/email/preferences";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { TRPCReactProvider } from "@/trpc/react";
import { eq } from "drizzle-orm";

// The page's in-process caller: anonymous, as a person opening the link from their inbox.
vi.mock("@/trpc/server", () => ({ api: async () => callerFor(null) }));
const { default: UnsubscribePage } = await import("./page");

useTestDatabase();
afterEach(() => waitForInlineRuns());

async function render(token: string, done = false) {
  const page = (await UnsubscribePage({ params: Promise.resolve({ token }), searchParams: Promise.resolve(done ? { done: "1" } : {}) })) as ReactNode;
  return renderToStaticMarkup(<TRPCReactProvider>{page}</TRPCReactProvider>);
}

describe("/unsubscribe/[token]", () => {
  it("for a valid link: the masked address, the topic, the one-click form and every choice", async () => {
    const user = await createUser("subscriber");
    const p = await newProvider();
    await subscribe(user.id, p.provider.id, "active");
    const token = unsubscribeToken({ userId: user.id }, `signals:${p.provider.id}`, 0);
    const html = await render(token);
    expect(html).toContain("Email preferences");
    expect(html).not.toContain(user.email);
    expect(html).toMatch(/For <span[^>]*>[a-z0-9]{2}•+@e•+\.com<\/span>/);
    expect(html).toContain(`signal alerts from ${p.provider.displayName.replaceAll("'", "&#x27;")}`);
    expect(html).toContain(`action="/api/unsubscribe/${token}"`);
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    for (const label of ["New signals and closed signals", "Copy events", "Daily digest and monthly performance report", "Getting-started emails", "Unsubscribe from all", "Time zone", "Arrives at"]) {
      expect(html, label).toContain(label);
    }
    expect(html).toContain(p.provider.displayName.replaceAll("'", "&#x27;"));
    expect(await render(token, true)).toContain("Done: you will not get these emails any more");
  });

  it("for a forged or revoked link: says it does not work and shows no preferences", async () => {
    const user = await createUser("subscriber");
    const token = unsubscribeToken({ userId: user.id }, "all", 0);
    const [payload, sig] = token.split(".");
    for (const [bad, words] of [
      [`${payload}.${sig!.slice(0, -2)}xx`, "not valid"],
      ["garbage", "not valid"],
    ] as const) {
      const html = await render(bad);
      expect(html).toContain("This link does not work");
      expect(html).toContain(words);
      expect(html).not.toContain("Unsubscribe from all");
    }
    await revokeUnsubscribeLinks(db, user.id);
    const html = await render(token);
    expect(html).toContain("revoked");
    expect(html).not.toContain("Unsubscribe from all");
  });

  it("for a weekly-digest subscriber: that digest and its button; for a deleted account: nothing more is sent", async () => {
    const [s] = await db.insert(digestSubscribers).values({ email: "reader@example.com", status: "confirmed", confirmedAt: new Date() }).returning();
    const html = await render(unsubscribeToken({ digestSubscriberId: s!.id }, "weekly", 0));
    expect(html).toContain("re••••@e••••••.com");
    expect(html).toContain("Weekly digest");
    expect(html).toContain("the marketplace&#x27;s closed signals");
    expect(html).toContain("You get this digest every week.");

    const gone = await createUser("subscriber");
    const token = unsubscribeToken({ userId: gone.id }, "all", 0);
    await waitForInlineRuns();
    await db.delete(users).where(eq(users.id, gone.id));
    expect(await render(token)).toContain("Nothing more to unsubscribe");
  });
});
