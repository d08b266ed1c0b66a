/**
 * The "Get the weekly digest" form's server action: bad input is refused with words for people and writes nothing; a
 * good request answers the same whatever the address's state and queues only the confirmation email.
 */
import { count, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/server/db";
import { digestSubscribers, emailOutbox } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { useTestDatabase } from "@/test/db";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { newProvider } from "@/test/signals";
import { callerFor } from "@/test/factories";
import { signals } from "@/server/db/schema";
import { systemContext } from "@/server/services/context";
import { sendWeeklyDigests } from "@/server/services/digests";
import { renderForDelivery } from "@/server/services/email/outbox";

const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({ headers: async () => request.headers, cookies: async () => ({ get: () => undefined, getAll: () => [] }) }));

const { weeklyDigestAction } = await import("./weekly-digest-action");
const { POST: oneClickUnsubscribe } = await import("@/app/api/unsubscribe/[token]/route");

useTestDatabase();
// Sign-ups start jobs (the onboarding sequence) in process: let them settle before the next test empties the tables.
afterEach(() => waitForInlineRuns());
beforeEach(async () => {
  await resetRateLimits();
  request.headers = new Headers({ host: "localhost:3000", "x-forwarded-proto": "http", "x-forwarded-for": "203.0.113.50" });
});

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const counts = async () => ({
  subscribers: (await db.select({ n: count() }).from(digestSubscribers))[0]!.n,
  confirmations: (await db.select({ n: count() }).from(emailOutbox).where(eq(emailOutbox.kind, "digest_confirm")))[0]!.n,
});

describe("weeklyDigestAction", () => {
  it("refuses bad input with a clear message and writes nothing", async () => {
    const { provider } = await newProvider();
    expect(await weeklyDigestAction({}, form({ email: "nope", providerSlug: provider.slug }))).toMatchObject({
      fieldErrors: { email: [expect.stringContaining("Enter a valid email address")] },
    });
    expect(await weeklyDigestAction({}, form({ email: "" }))).toMatchObject({ fieldErrors: { email: ["Enter your email address"] } });
    expect(await weeklyDigestAction({}, form({ email: "a@example.com", providerSlug: "nobody-here" }))).toMatchObject({ message: "No provider with that name" });
    expect(await weeklyDigestAction({}, "not a form" as unknown as FormData)).toMatchObject({ message: expect.stringContaining("could not be read") });
    expect(await counts()).toEqual({ subscribers: 0, confirmations: 0 });
  });

  it("asks for confirmation and answers the same for an address already asked", async () => {
    const { provider } = await newProvider();
    const first = await weeklyDigestAction({}, form({ email: "Reader@Example.com", providerSlug: provider.slug }));
    const again = await weeklyDigestAction({}, form({ email: "reader@example.com", providerSlug: provider.slug }));
    expect(first).toEqual({ ok: true, email: "reader@example.com" });
    expect(again).toEqual(first);
    expect(await counts()).toEqual({ subscribers: 1, confirmations: 2 });
    expect((await db.select().from(digestSubscribers))[0]).toMatchObject({ status: "pending", providerId: provider.id });
    expect(await weeklyDigestAction({}, form({ email: "market@example.com" }))).toEqual({ ok: true, email: "market@example.com" });
    expect((await db.select().from(digestSubscribers).where(eq(digestSubscribers.email, "market@example.com")))[0]!.providerId).toBeNull();
  });
});

describe("the weekly digest, end to end", () => {
  it("form, confirmation, one digest, the email's one-click unsubscribe, and nothing after", async () => {
    const { provider } = await newProvider();
    const closedSignal = (n: number, closedAt: Date) => ({
      providerId: provider.id,
      number: n,
      symbol: "BTC/USDT",
      side: "long" as const,
      entryType: "market" as const,
      entryPrice: "100",
      source: "ui" as const,
      status: "closed" as const,
      publishedAt: new Date(closedAt.getTime() - 86_400_000),
      closedAt,
      resultPct: "0.05",
      exitReason: "target",
      remaining: "0",
      prevHash: "0".repeat(64),
      hash: String(n).repeat(64).slice(0, 64),
    });
    await db.insert(signals).values([closedSignal(1, new Date("2026-12-03T10:00:00Z")), closedSignal(2, new Date("2026-12-10T10:00:00Z"))]);
    expect(await weeklyDigestAction({}, form({ email: "follower@example.com", providerSlug: provider.slug }))).toMatchObject({ ok: true });
    const [confirmation] = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "digest_confirm"));
    const token = decodeURIComponent(/token=([A-Za-z0-9_%-]+)/.exec(renderForDelivery(confirmation!).text)![1]!);
    await (await callerFor(null)).digests.confirm({ token });

    expect(await sendWeeklyDigests(systemContext(new Date("2026-12-07T09:00:00Z")))).toEqual({ queued: 1 });
    const [digest] = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "weekly_digest"));
    const link = /^<(.+)>$/.exec(renderForDelivery(digest!).headers["List-Unsubscribe"]!)![1]!;
    const res = await oneClickUnsubscribe(
      new Request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" }),
      { params: Promise.resolve({ token: link.split("/").at(-1)! }) },
    );
    expect(res.status).toBe(200);
    expect((await db.select().from(digestSubscribers))[0]!.status).toBe("unsubscribed");
    expect(await sendWeeklyDigests(systemContext(new Date("2026-12-14T09:00:00Z")))).toEqual({ queued: 0 });
  });
});
