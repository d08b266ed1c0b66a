/**
 * The dashboard feed (issue 11, item 1), read through `signals.feed` as the dashboard reads it. The demo trader pays
 * for two providers, but a seed that wrote another provider last filled the old feed (50 rows by `updated_at`), so a
 * paid provider's open signals never showed and dates came out of order. Here: every followed provider's open and
 * pending signals come first, however many rows another provider wrote later; finished signals follow in the order
 * their finishes happened; the cursor walks them with nothing twice and nothing skipped; a provider the viewer does
 * not follow never appears.
 */
import { describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { callerFor, createUser, trpcCode } from "@/test/factories";
import { actingAs, newProvider, subscribe } from "@/test/signals";
import { db } from "@/server/db";
import { signals, type SignalStatus } from "@/server/db/schema";
import type { SessionUser } from "@/server/api/trpc";
import { closeSignal, publishSignal } from "@/server/services/signals";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { FEED_OPEN_PER_PROVIDER } from "./views";

useTestDatabase();
const market = useFakeMarket();

const NOW = Date.now();
const ago = (hours: number) => new Date(NOW - hours * 3_600_000);

type P = Awaited<ReturnType<typeof newProvider>>;
const numbers = new Map<string, number>();

/**
 * A signal row as a backfill writes it: lifecycle times as given, `updatedAt` whenever the row was written (the old
 * feed's order). Direct inserts, so a test can set each time exactly; the feed reads only the signals table.
 */
async function put(p: P, status: SignalStatus, t: { published: Date; filled?: Date | null; closed?: Date | null; written?: Date }) {
  const number = (numbers.get(p.provider.id) ?? 0) + 1;
  numbers.set(p.provider.id, number);
  const finished = status === "closed" || status === "cancelled" || status === "expired";
  const filled = t.filled === undefined ? (status === "pending" || status === "cancelled" || status === "expired" ? null : t.published) : t.filled;
  const [row] = await db
    .insert(signals)
    .values({
      providerId: p.provider.id,
      number,
      symbol: "BTC/USDT",
      side: "long",
      entryType: filled && filled > t.published ? "limit" : "market",
      entryPrice: "30000",
      initialStop: "29000",
      stopLoss: "29000",
      source: "demo",
      status,
      publishedAt: t.published,
      filledAt: filled,
      fillPrice: filled ? "30000" : null,
      remaining: finished ? "0" : "1",
      closedAt: finished ? (t.closed ?? new Date(t.published.getTime() + 3_600_000)) : null,
      exitReason: finished ? (status === "closed" ? "target" : status) : null,
      prevHash: "0".repeat(64),
      hash: `${number}`.padStart(64, "0"),
      updatedAt: t.written ?? new Date(),
    })
    .returning();
  return row!;
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof callerFor>>["signals"]["feed"]>>;

/** Every page of the feed from the start, with the cursor, as "Load more" fetches them. */
async function allPages(user: SessionUser, limit: number) {
  const caller = await callerFor(user);
  const pages: Page[] = [await caller.signals.feed({ limit })];
  while (pages.at(-1)!.nextCursor) {
    pages.push(await caller.signals.feed({ limit, cursor: pages.at(-1)!.nextCursor }));
    if (pages.length > 500) throw new Error("the cursor does not advance");
  }
  return pages;
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

async function traderFollowing(...ps: P[]) {
  const user = await createUser("subscriber");
  for (const p of ps) await subscribe(user.id, p.provider.id, "active");
  return user;
}

describe("the first page", () => {
  it("lists the open and pending signals of every followed provider first, however many rows another provider wrote later", async () => {
    const momentum = await newProvider();
    const swing = await newProvider();
    // Momentum Desk: two open signals and a pending limit, written long ago.
    const mOpen1 = await put(momentum, "open", { published: ago(24 * 12), written: ago(24 * 12) });
    const mOpen2 = await put(momentum, "open", { published: ago(24 * 3), written: ago(24 * 3) });
    const mPending = await put(momentum, "pending", { published: ago(30), written: ago(30) });
    // Steady Swing, written last (as the seed did): a year of finished signals and one open one.
    const sOpen = await put(swing, "open", { published: ago(5), written: new Date(NOW) });
    for (let i = 0; i < 80; i++) await put(swing, "closed", { published: ago(24 * 40 - i * 5), closed: ago(24 * 40 - i * 5 - 2), written: new Date(NOW + i) });
    const trader = await traderFollowing(momentum, swing);

    const page = await (await callerFor(trader)).signals.feed({ limit: 20 });
    // Newest event first within the section: the pending one was published 30 h ago, the open ones 5 h, 3 days, 12 days ago.
    expect(ids(page.open!)).toEqual(ids([sOpen, mPending, mOpen2, mOpen1]));
    expect(page.open!.map((s) => [s.providerName, s.event])).toEqual([
      [swing.provider.displayName, "published"],
      [momentum.provider.displayName, "published"],
      [momentum.provider.displayName, "published"],
      [momentum.provider.displayName, "published"],
    ]);
    expect(page.openMore).toEqual([]);
    expect(page.recent).toHaveLength(20);
    expect(page.recent.every((s) => s.status === "closed" && s.providerId === swing.provider.id)).toBe(true);
    expect(page.nextCursor).not.toBeNull();
  });

  it("lists every followed provider's open signals even when one has more than fit, and says how many more", async () => {
    const prolific = await newProvider();
    const quiet = await newProvider();
    const quietOpen = await put(quiet, "open", { published: ago(24 * 20), written: ago(24 * 20) });
    const many = [];
    for (let i = 0; i < FEED_OPEN_PER_PROVIDER + 5; i++) many.push(await put(prolific, "open", { published: ago(i + 1) }));
    const trader = await traderFollowing(prolific, quiet);

    const page = await (await callerFor(trader)).signals.feed({ limit: 5 });
    expect(ids(page.open!)).toEqual([...ids(many.slice(0, FEED_OPEN_PER_PROVIDER)), quietOpen.id]);
    expect(page.openMore).toEqual([{ providerId: prolific.provider.id, providerName: prolific.provider.displayName, providerSlug: prolific.provider.slug, more: 5 }]);
  });

  it("places a filled limit entry by its fill, and a finished signal by its finish", async () => {
    const p = await newProvider();
    const filled = await put(p, "open", { published: ago(48), filled: ago(2) });
    const atMarket = await put(p, "open", { published: ago(10) });
    const closed = await put(p, "closed", { published: ago(100), closed: ago(1) });
    const cancelled = await put(p, "cancelled", { published: ago(20), closed: ago(3) });
    const expired = await put(p, "expired", { published: ago(200), closed: ago(5) });
    const trader = await traderFollowing(p);

    const page = await (await callerFor(trader)).signals.feed({ limit: 10 });
    expect(page.open!.map((s) => [s.id, s.event, s.eventAt])).toEqual([
      [filled.id, "filled", ago(2)],
      [atMarket.id, "published", ago(10)],
    ]);
    expect(page.recent.map((s) => [s.id, s.event, s.eventAt])).toEqual([
      [closed.id, "closed", ago(1)],
      [cancelled.id, "cancelled", ago(3)],
      [expired.id, "expired", ago(5)],
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it("follows a signal through publishing and closing by the services", async () => {
    const p = await newProvider();
    const trader = await traderFollowing(p);
    market.setPrice("BTC/USDT", "30000");
    const publishedAt = new Date(NOW - 60_000);
    const { signal } = await publishSignal(actingAs(p.user, { now: publishedAt }), p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "29000" }, "ui");
    const caller = await callerFor(trader);
    let page = await caller.signals.feed({});
    expect(page.open!.map((s) => [s.id, s.event, s.eventAt])).toEqual([[signal.id, "published", publishedAt]]);
    expect(page.recent).toEqual([]);

    market.setPrice("BTC/USDT", "30500");
    const closedAt = new Date(NOW);
    await closeSignal(actingAs(p.user, { now: closedAt }), { providerId: p.provider.id, signalId: signal.id }, {});
    await waitForInlineRuns();
    page = await caller.signals.feed({});
    expect(page.open).toEqual([]);
    expect(page.recent.map((s) => [s.id, s.event, s.eventAt])).toEqual([[signal.id, "closed", closedAt]]);
  });
});

describe("recent changes", () => {
  it("come in the order the changes happened, not the order the rows were written", async () => {
    const a = await newProvider();
    const b = await newProvider();
    const rows = [];
    // Written in the reverse of their finishing order, alternating providers (the old feed showed Nov 22 above Nov 24).
    for (let i = 0; i < 12; i++) {
      const p = i % 2 ? a : b;
      const status = (["closed", "cancelled", "expired"] as const)[i % 3]!;
      rows.push(await put(p, status, { published: ago(24 * 30 + i), closed: ago(24 * (i + 1)), written: new Date(NOW - (12 - i) * 1000) }));
    }
    const trader = await traderFollowing(a, b);
    const [page] = await allPages(trader, 50);
    expect(ids(page!.recent)).toEqual(ids(rows));
    const times = page!.recent.map((s) => s.eventAt.getTime());
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect(page!.recent.every((s) => s.eventAt.getTime() === s.closedAt!.getTime())).toBe(true);
  });

  it("page by cursor with no signal twice and none skipped, including finishes in the same instant and a page boundary inside a millisecond", async () => {
    const a = await newProvider();
    const b = await newProvider();
    const rows = [];
    for (let i = 0; i < 23; i++) rows.push(await put(i % 3 ? a : b, "closed", { published: ago(500), closed: ago(Math.floor(i / 4)) }));
    // Two finishes a few microseconds apart: a JavaScript date cannot tell them apart, the cursor must.
    const [x, y] = [rows[21]!, rows[22]!];
    await db.execute(sql`update signals set closed_at = '2026-01-01T00:00:00.123456Z' where id = ${x.id}`);
    await db.execute(sql`update signals set closed_at = '2026-01-01T00:00:00.123789Z' where id = ${y.id}`);
    const trader = await traderFollowing(a, b);

    for (const limit of [1, 2, 4, 5, 7, 22, 23, 100]) {
      const pages = await allPages(trader, limit);
      const seen = pages.flatMap((p) => ids(p.recent));
      expect(seen.length, `limit ${limit}`).toBe(23);
      expect(new Set(seen).size, `limit ${limit}`).toBe(23);
      expect(pages.slice(1).every((p) => p.open === null), `limit ${limit}`).toBe(true);
      expect(pages.every((p) => p.recent.length <= limit)).toBe(true);
      expect(seen.slice(-2), `limit ${limit}`).toEqual([y.id, x.id]);
    }
  });

  it("continue from the cursor unchanged when newer changes arrive between pages", async () => {
    const p = await newProvider();
    const rows = [];
    for (let i = 0; i < 10; i++) rows.push(await put(p, "closed", { published: ago(500), closed: ago(i + 1) }));
    const trader = await traderFollowing(p);
    const caller = await callerFor(trader);
    const first = await caller.signals.feed({ limit: 4 });
    // A signal finishes now: it belongs above the first page, not in the next one.
    const late = await put(p, "closed", { published: ago(50), closed: new Date(NOW) });
    const second = await caller.signals.feed({ limit: 4, cursor: first.nextCursor });
    const third = await caller.signals.feed({ limit: 4, cursor: second.nextCursor });
    expect([...first.recent, ...second.recent, ...third.recent].map((s) => s.id)).toEqual(ids(rows));
    expect(third.nextCursor).toBeNull();
    expect(ids((await caller.signals.feed({ limit: 4 })).recent)[0]).toBe(late.id);
  });
});

describe("who sees what", () => {
  it("never lists a provider the viewer does not follow, nor one whose subscription has ended", async () => {
    const followed = await newProvider();
    const stranger = await newProvider();
    const ended = await newProvider();
    const paused = await newProvider();
    await put(followed, "open", { published: ago(5) });
    await put(followed, "closed", { published: ago(50), closed: ago(40) });
    for (const p of [stranger, ended, paused]) {
      await put(p, "open", { published: ago(1), written: new Date(NOW + 1000) });
      await put(p, "pending", { published: ago(1), written: new Date(NOW + 1000) });
      for (let i = 0; i < 5; i++) await put(p, "closed", { published: ago(30), closed: ago(i), written: new Date(NOW + 1000) });
    }
    const trader = await traderFollowing(followed);
    await subscribe(trader.id, ended.provider.id, "canceled");
    await subscribe(trader.id, paused.provider.id, "paused");

    const pages = await allPages(trader, 3);
    const all = [...pages[0]!.open!, ...pages.flatMap((p) => p.recent)];
    expect(new Set(all.map((s) => s.providerId))).toEqual(new Set([followed.provider.id]));
    expect(all).toHaveLength(2);
    expect(all.every((s) => s.visibility === "full")).toBe(true);
  });

  it("shows a provider its own signals, and nobody else's", async () => {
    const p = await newProvider();
    const other = await newProvider();
    const mine = await put(p, "pending", { published: ago(2) });
    await put(other, "open", { published: ago(1) });
    const page = await p.caller.signals.feed({});
    expect(ids(page.open!)).toEqual([mine.id]);
    expect(page.recent).toEqual([]);
  });

  it("is for signed-in viewers only, and refuses a made-up cursor", async () => {
    expect(await trpcCode((await callerFor(null)).signals.feed({}))).toBe("UNAUTHORIZED");
    const trader = await createUser("subscriber");
    const caller = await callerFor(trader);
    expect(await caller.signals.feed({})).toEqual({ open: [], openMore: [], recent: [], nextCursor: null });
    for (const cursor of [
      "x",
      "2026-01-01T00:00:00Z|sig_1",
      "2026-01-01T00:00:00.000000Z|sig_1' or 1=1",
      // The right shape but no real instant: PostgreSQL would answer these with an error (a 500), not an empty page.
      "0000-12-03T20:00:00.000000Z|sig_1",
      "2026-13-45T00:00:00.000000Z|sig_1",
      "2026-02-30T00:00:00.000000Z|sig_1",
      "2026-01-01T25:00:00.000000Z|sig_1",
      `2026-01-01T00:00:00.000000Z|${"a".repeat(200)}`,
    ]) {
      expect(await trpcCode(caller.signals.feed({ cursor })), cursor).toBe("BAD_REQUEST");
    }
  });
});
