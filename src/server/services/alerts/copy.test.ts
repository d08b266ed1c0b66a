/**
 * Copy event emails: a signal copied to followers through the fan-out, its `copy/orders.settled` event turned by the
 * `copy-emails` job into one email per follower (filled, or skipped with the reason); a follower who turned copy
 * emails off gets none; one event's orders of several outcomes for one follower make one email; a retried job
 * queues nothing twice; the risk pause is a safety alert sent whatever the choice, once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import Decimal from "decimal.js";
import { and, eq, inArray, like } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider } from "@/test/signals";
import { copyingFollowers } from "@/test/copy";
import { db } from "@/server/db";
import { copyOrders, copySettings, emailOutbox, notificationPrefs } from "@/server/db/schema";
import { runJob, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { copyEmails } from "@/server/jobs/functions/copy-emails";
import { resetRateLimits } from "@/server/rate-limit";
import { configureCopyEngine } from "@/server/services/copy/engine";
import { publishSignal } from "@/server/services/signals";
import { readUnsubscribeToken } from "@/server/services/email/unsubscribe-link";
import { price } from "@/components/track-record/format";
import { queueRiskPauseEmail } from "./copy";

useTestDatabase();
const market = useFakeMarket();
beforeEach(() => {
  resetRateLimits();
  configureCopyEngine({ slippageBps: async () => "2" });
  market.setPrice("BTC/USDT", "64000");
  market.setPrice("ETH/USDT", "3400");
});
afterEach(async () => {
  configureCopyEngine({});
  await waitForInlineRuns();
});

const copyMail = (userIds: string[]) =>
  db
    .select()
    .from(emailOutbox)
    .where(and(inArray(emailOutbox.userId, userIds), like(emailOutbox.kind, "copy_%")))
    .orderBy(emailOutbox.createdAt);

describe("copy event emails", () => {
  it("one email per follower per settled event: filled with the fill, skipped with the reason; none for a follower who turned copy emails off", async () => {
    const p = await newProvider();
    const [filled] = await copyingFollowers(p.provider.id, 1);
    const [skipped] = await copyingFollowers(p.provider.id, 1, { symbolsDeny: ["BTC/USDT"] });
    const [silent] = await copyingFollowers(p.provider.id, 1);
    await db.insert(notificationPrefs).values({ userId: silent!, copyEmails: false });

    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "62000" }, "ui");
    await waitForInlineRuns();
    const orders = await db.select().from(copyOrders).where(eq(copyOrders.signalId, signal.id));
    expect(orders.map((o) => o.status).sort()).toEqual(["filled", "filled", "skipped"]);

    const mail = await copyMail([filled!, skipped!, silent!]);
    expect(mail.map((m) => [m.userId, m.kind])).toEqual(expect.arrayContaining([[filled, "copy_filled"], [skipped, "copy_skipped"]]));
    expect(mail).toHaveLength(2);

    const fill = orders.find((o) => o.userId === filled)!;
    const [f] = mail.filter((m) => m.userId === filled);
    expect(f!.stream).toBe("notification");
    expect(f!.subject).toBe(`Copy filled: Bought ${new Decimal(fill.quantity).toFixed()} BTC/USDT at ${price(fill.fillPrice)} (entry)`);
    expect(f!.text).toContain(`Fee ${new Decimal(fill.fee).toFixed()} USDT`);
    expect(f!.text).toContain(`Signal #${signal.number}`);
    expect(f!.text).toContain("Paper account");
    expect(readUnsubscribeToken(f!.unsubscribeUrl!.split("/api/unsubscribe/")[1]!)).toMatchObject({ id: filled, t: "copy" });

    const [s] = mail.filter((m) => m.userId === skipped);
    expect(s!.subject).toBe("Signal not copied: BTC/USDT entry not copied");
    expect(s!.text).toContain("BTC/USDT is in this following's list of symbols not to copy.");
  });

  it("groups one event's orders of several outcomes into one email per follower, and a retry queues nothing more", async () => {
    const p = await newProvider();
    const [a, b] = await copyingFollowers(p.provider.id, 2);
    const btc = (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "62000" }, "ui")).signal;
    const eth = (await publishSignal(actingAs(p.user), p.provider.id, { symbol: "ETH/USDT", side: "short", stopLoss: "3500" }, "ui")).signal;
    await waitForInlineRuns();
    const orders = await db.select().from(copyOrders).where(inArray(copyOrders.signalId, [btc.id, eth.id]));
    const of = (user: string, signalId: string) => orders.find((o) => o.userId === user && o.signalId === signalId)!.id;
    await db.delete(emailOutbox);

    // One event carrying, for follower a, a fill and a (nominal) rejection; for b, a fill.
    const event = {
      name: "copy/orders.settled" as const,
      id: "evt-grouped",
      data: { userIds: [a!, b!], filled: [of(a!, btc.id), of(b!, eth.id)], skipped: [], rejected: [of(a!, eth.id)] },
    };
    expect(await runJob(copyEmails.job, event)).toMatchObject({ status: "completed", output: { emails: 2 } });
    const mail = await copyMail([a!, b!]);
    expect(mail.map((m) => [m.userId, m.kind]).sort()).toEqual([[a, "copy_rejected"], [b, "copy_filled"]].sort());
    const [forA] = mail.filter((m) => m.userId === a);
    expect(forA!.text).toMatch(/COPY ORDER REJECTED[\s\S]*ETH\/USDT[\s\S]*Copy filled[\s\S]*BTC\/USDT/);

    // The job run again for the same event (a retry, a second delivery): nothing new.
    expect(await runJob(copyEmails.job, { ...event, id: "evt-grouped-again" })).toMatchObject({ status: "completed", output: { emails: 0 } });
    expect(await copyMail([a!, b!])).toHaveLength(2);
  });

  it("the risk pause is sent whatever the copy-email choice (a safety alert), once per pause", async () => {
    const p = await newProvider();
    const [u] = await copyingFollowers(p.provider.id, 1);
    await db.insert(notificationPrefs).values({ userId: u!, copyEmails: false });
    // As the copy stop-loss leaves the following (services/copy/engine.ts checkCopyStops).
    await db.update(copySettings).set({ pausedReason: "copy_stop", pausedAt: new Date() }).where(eq(copySettings.userId, u!));
    const data = { userId: u!, providerId: p.provider.id, reason: "copy_stop_loss" as const };
    expect(await runJob(copyEmails.job, { name: "copy/risk.paused", id: "evt-pause-1", data })).toMatchObject({ status: "completed", output: { emails: 1 } });
    // The same pause told again (a retry, a second delivery under another id): still one email.
    await runJob(copyEmails.job, { name: "copy/risk.paused", id: "evt-pause-1-again", data });
    await queueRiskPauseEmail(data, "evt-pause-1");
    const mail = await db.select().from(emailOutbox).where(and(eq(emailOutbox.userId, u!), eq(emailOutbox.kind, "copy_risk_pause")));
    expect(mail).toHaveLength(1);
    expect(mail[0]).toMatchObject({ stream: "transactional", unsubscribeUrl: null, subject: `Copy stop-loss hit: copying ${p.provider.displayName} is paused` });
    expect(mail[0]!.text).toContain("open copies are being closed");

    // A later pause (copying turned back on, then stopped again) is a new alert.
    await db.update(copySettings).set({ pausedAt: new Date(Date.now() + 60_000) }).where(eq(copySettings.userId, u!));
    await runJob(copyEmails.job, { name: "copy/risk.paused", id: "evt-pause-2", data });
    expect(await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "copy_risk_pause"))).toHaveLength(2);
  });
});
