/**
 * The digest crons decide by their scheduled tick, not by when they run: a daily-digest run for 12:00 UTC on
 * 8 March 2026 (08:00 in New York, the first day of daylight time) sends New York's digests even when it starts late,
 * and the same tick fired twice sends once.
 */
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { emailOutbox, notificationPrefs, signals } from "@/server/db/schema";
import { inlineRunner, waitForInlineRuns } from "@/server/jobs/inline/runner";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { newProvider, subscribe } from "@/test/signals";
import { DAILY_DIGEST_CRON, dailyDigest } from "./digests";

useTestDatabase();
afterEach(() => waitForInlineRuns());

describe("daily-digest cron", () => {
  it("sends the digests due at its tick, once however often the tick fires", async () => {
    const { provider } = await newProvider();
    const reader = await createUser("subscriber");
    await db.update(notificationPrefs).set({ timeZone: "America/New_York", digestHour: 8 }).where(eq(notificationPrefs.userId, reader.id));
    await subscribe(reader.id, provider.id, "active");
    await db.insert(signals).values({
      providerId: provider.id,
      number: 1,
      symbol: "BTC/USDT",
      side: "long",
      entryType: "market",
      entryPrice: "100",
      source: "ui",
      status: "open",
      publishedAt: new Date("2026-03-08T03:00:00Z"),
      prevHash: "0".repeat(64),
      hash: "1".repeat(64),
    });
    const tick = new Date("2026-03-08T12:00:00Z");
    const [a, b] = await Promise.all([
      inlineRunner().fireCron(dailyDigest.job, DAILY_DIGEST_CRON, tick),
      inlineRunner().fireCron(dailyDigest.job, DAILY_DIGEST_CRON, tick),
    ]);
    expect([a, b].filter((r) => r?.status === "completed")).toHaveLength(1);
    const sent = await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "daily_digest"));
    expect(sent.map((e) => e.dedupeKey)).toEqual([`digest:daily:${reader.id}:2026-03-08`]);
    // The hour before is 07:00 in New York: nothing due.
    await inlineRunner().fireCron(dailyDigest.job, DAILY_DIGEST_CRON, new Date("2026-03-08T11:00:00Z"));
    expect(await db.select().from(emailOutbox).where(eq(emailOutbox.kind, "daily_digest"))).toHaveLength(1);
  });
});
