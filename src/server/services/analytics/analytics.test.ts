/**
 * Admin analytics against hand-built fixtures on a known calendar (acceptance item 5): every expected figure below
 * is computed by hand in the comments beside it, never by the code under test.
 */
import { describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { callerFor, signedIn, trpcCode } from "@/test/factories";
import { copyOrders, payments, providers, signalEvents, signals, subscriptions, userSessions, users } from "@/server/db/schema";
import { computeAnalytics, createAnalytics } from "@/server/services/analytics";

const t = useTestDatabase();
const at = (iso: string) => new Date(iso);
// Wednesday. Range "30d" starts at 2026-03-16T12:00Z, whose ISO week starts Monday 2026-03-16.
const NOW = at("2026-04-15T12:00:00Z");
const h64 = (n: number) => n.toString(16).padStart(64, "0");

async function seed() {
  const u = async (id: string, role: "subscriber" | "provider", createdAt: string, deletedAt?: string) =>
    t.db.insert(users).values({ id, email: `${id}@example.com`, name: id, role, createdAt: at(createdAt), deletedAt: deletedAt ? at(deletedAt) : null });
  await u("usr_u1", "subscriber", "2026-01-10T09:00:00Z");
  await u("usr_u7", "provider", "2026-02-20T12:00:00Z");
  await u("usr_u2", "subscriber", "2026-03-30T23:30:00Z"); // Monday
  await u("usr_u3", "provider", "2026-04-01T00:00:00Z"); // Wednesday, same week as u2
  await u("usr_u6", "subscriber", "2026-04-10T08:00:00Z", "2026-04-12T00:00:00Z"); // deleted: left out everywhere
  await u("usr_u4", "subscriber", "2026-04-14T10:15:00Z");
  await u("usr_u5", "subscriber", "2026-04-15T11:59:00Z");

  await t.db.insert(providers).values([
    { id: "prv_p1", userId: "usr_u3", slug: "p-one", displayName: "Provider One" },
    { id: "prv_p2", userId: "usr_u7", slug: "p-two", displayName: "Provider Two" },
  ]);

  // Activity: u1 seen Apr 1 (active); u2 seen Mar 1 (> 30 days ago); u4 seen after NOW (not counted); u6 deleted.
  await t.db.insert(userSessions).values([
    { id: "ses1", userId: "usr_u1", lastSeenAt: at("2026-04-01T10:00:00Z") },
    { id: "ses2", userId: "usr_u2", lastSeenAt: at("2026-03-01T10:00:00Z") },
    { id: "ses4", userId: "usr_u4", lastSeenAt: at("2026-04-20T10:00:00Z") },
    { id: "ses6", userId: "usr_u6", lastSeenAt: at("2026-04-11T10:00:00Z") },
  ]);

  const sub = (id: string, subscriberId: string, providerId: string, createdAt: string, canceledAt: string | null, status: "active" | "canceled" | "incomplete" = canceledAt ? "canceled" : "active") => ({
    id,
    subscriberId,
    providerId,
    status,
    createdAt: at(createdAt),
    canceledAt: canceledAt ? at(canceledAt) : null,
  });
  await t.db.insert(subscriptions).values([
    sub("sub_s1", "usr_u1", "prv_p1", "2026-01-15T00:00:00Z", "2026-03-10T00:00:00Z"),
    sub("sub_s2", "usr_u2", "prv_p1", "2026-02-01T00:00:00Z", null),
    sub("sub_s3", "usr_u4", "prv_p2", "2026-03-05T00:00:00Z", "2026-03-20T00:00:00Z"),
    sub("sub_s4", "usr_u5", "prv_p2", "2026-02-10T00:00:00Z", "2026-04-02T00:00:00Z"),
    sub("sub_s5", "usr_u1", "prv_p2", "2026-03-25T00:00:00Z", null),
    sub("sub_s6", "usr_u2", "prv_p2", "2026-04-01T00:00:00Z", null, "incomplete"), // never started: left out
  ]);

  const pay = (n: number, subscriptionId: string, providerId: string, amount: number, fee: number, paidAt: string) => ({
    stripeInvoiceId: `in_${n}`,
    subscriptionId,
    providerId,
    amountCents: amount,
    platformFeeCents: fee,
    providerShareCents: amount - fee,
    paidAt: at(paidAt),
  });
  await t.db.insert(payments).values([
    pay(1, "sub_s1", "prv_p1", 300, 90, "2026-01-15T00:00:00Z"),
    pay(2, "sub_s1", "prv_p1", 300, 90, "2026-02-15T00:00:00Z"),
    pay(3, "sub_s2", "prv_p1", 500, 150, "2026-02-01T00:00:00Z"),
    pay(4, "sub_s4", "prv_p2", 1000, 300, "2026-02-10T00:00:00Z"),
    pay(5, "sub_s4", "prv_p2", 1000, 300, "2026-03-10T00:00:00Z"),
    pay(6, "sub_s3", "prv_p2", 999, 300, "2026-03-05T00:00:00Z"),
    pay(7, "sub_s2", "prv_p1", 500, 150, "2026-03-01T00:00:00Z"), // first instant of March: a March payment
    pay(8, "sub_s2", "prv_p1", 500, 150, "2026-04-01T00:00:00Z"),
  ]);

  // Closed signals: P1 two BTC day trades in the 30-day range (u3 publishes on Apr 10: active); P2 one ETH short on
  // Mar 1, outside the range.
  const signal = (id: string, providerId: string, number: number, symbol: string, side: "long" | "short", entry: string, stop: string, exit: string, day: string) => ({
    row: {
      id,
      providerId,
      number,
      symbol,
      side,
      entryType: "market" as const,
      entryPrice: entry,
      initialStop: stop,
      source: "api" as const,
      status: "closed" as const,
      publishedAt: at(`${day}T09:59:00Z`),
      filledAt: at(`${day}T10:00:00Z`),
      fillPrice: entry,
      closedAt: at(`${day}T14:00:00Z`),
      exitPrice: exit,
      remaining: "0",
      prevHash: h64(0),
      hash: h64(number),
    },
    event: { providerId, signalId: id, seq: number, kind: "closed" as const, at: `${day}T14:00:00.000Z`, data: { price: exit, share: "1" }, nonce: `n${id}`, prevHash: h64(0), hash: h64(100 + number) },
  });
  const sigs = [
    signal("sig_a", "prv_p1", 1, "BTC/USDT", "long", "100", "90", "110", "2026-04-10"),
    signal("sig_b", "prv_p1", 2, "BTC/USDT", "long", "100", "90", "95", "2026-04-11"),
    signal("sig_c", "prv_p2", 1, "ETH/USDT", "short", "50", "55", "45", "2026-03-01"),
  ];
  await t.db.insert(signals).values(sigs.map((s) => s.row));
  await t.db.insert(signalEvents).values(sigs.map((s) => s.event));

  const order = (n: number, status: "filled" | "rejected" | "skipped" | "submitted", createdAt: string, fill?: { qty: string; price: string; slip: string; ms: number }) => ({
    clientOrderId: `co_${n}`,
    userId: "usr_u1",
    providerId: "prv_p1",
    venue: "paper",
    symbol: "BTC/USDT",
    side: "buy" as const,
    leg: "entry" as const,
    status,
    quantity: fill?.qty ?? "1",
    fillPrice: fill?.price ?? null,
    slippageBps: fill?.slip ?? null,
    latencyMs: fill?.ms ?? null,
    createdAt: at(createdAt),
  });
  await t.db.insert(copyOrders).values([
    order(1, "filled", "2026-04-10T10:00:01Z", { qty: "0.5", price: "101", slip: "10", ms: 100 }),
    order(2, "filled", "2026-04-10T10:00:01Z", { qty: "2", price: "50.25", slip: "20", ms: 300 }),
    order(3, "filled", "2026-04-11T10:00:01Z", { qty: "1", price: "10", slip: "-5", ms: 200 }),
    order(4, "rejected", "2026-04-11T10:00:01Z"),
    order(5, "skipped", "2026-04-11T10:00:01Z"),
    order(6, "submitted", "2026-04-11T10:00:01Z"),
    order(7, "filled", "2026-03-01T10:00:01Z", { qty: "100", price: "100", slip: "500", ms: 9000 }), // outside the range
  ]);
}

describe("analytics figures equal the hand computation", () => {
  it("users: total, active, new, roles and weekly growth over 30 days", async () => {
    await seed();
    const a = await computeAnalytics({ range: "30d", bucket: "week" }, NOW);
    // Present users (u6 deleted): u1, u7, u2, u3, u4, u5 = 6. Traders u1, u2, u4, u5 = 4; providers u3, u7 = 2.
    expect(a.users).toMatchObject({ total: 6, byRole: { traders: 4, providers: 2, admins: 0 } });
    // New since 2026-03-16T12:00Z: u2, u3, u4, u5 = 4. Active: u1 (session Apr 1), u3 (published Apr 10) = 2.
    expect(a.users.added).toBe(4);
    expect(a.users.active).toBe(2);
    // Before week 03-16: u1, u7 (2). Weeks 03-16: 0 -> 2; 03-23: 0 -> 2; 03-30: u2, u3 -> 4; 04-06: 0 (u6 deleted)
    // -> 4; 04-13: u4, u5 -> 6.
    expect(a.users.growth.map((p) => [p.start.toISOString().slice(0, 10), p.added, p.cumulative])).toEqual([
      ["2026-03-16", 0, 2],
      ["2026-03-23", 0, 2],
      ["2026-03-30", 2, 4],
      ["2026-04-06", 0, 4],
      ["2026-04-13", 2, 6],
    ]);
  });

  it("growth by month over all time and by hour over 24 hours", async () => {
    await seed();
    const monthly = await computeAnalytics({ range: "all", bucket: "month" }, NOW);
    // Jan: u1 (1); Feb: u7 (2); Mar: u2 (3); Apr: u3, u4, u5 (6).
    expect(monthly.users.growth.map((p) => [p.start.toISOString().slice(0, 7), p.added, p.cumulative])).toEqual([
      ["2026-01", 1, 1],
      ["2026-02", 1, 2],
      ["2026-03", 1, 3],
      ["2026-04", 3, 6],
    ]);
    const hourly = await computeAnalytics({ range: "24h", bucket: "hour" }, NOW);
    // Hours 04-14 12:00 ... 04-15 12:00 = 25 buckets; 5 users before (u4 at 10:15 on the 14th is before 12:00); u5 in
    // the 11:00 bucket of the 15th.
    expect(hourly.users.growth).toHaveLength(25);
    expect(hourly.users.growth[0]).toMatchObject({ start: at("2026-04-14T12:00:00Z"), added: 0, cumulative: 5 });
    expect(hourly.users.growth.filter((p) => p.added > 0)).toEqual([{ start: at("2026-04-15T11:00:00Z"), added: 1, cumulative: 6 }]);
    expect(hourly.users.added).toBe(1);
  });

  it("revenue: platform 30% / providers 70% by month, totals and top earners, in integer cents", async () => {
    await seed();
    const a = await computeAnalytics({ range: "30d", bucket: "day" }, NOW);
    const months = Object.fromEntries(a.revenue.byMonth.map((m) => [m.month, m]));
    expect(a.revenue.byMonth).toHaveLength(12);
    expect(months["2025-05"]).toMatchObject({ grossCents: 0, platformFeeCents: 0, providerShareCents: 0, invoices: 0 });
    // Jan: p1 = 300 / 90 / 210.
    expect(months["2026-01"]).toMatchObject({ grossCents: 300, platformFeeCents: 90, providerShareCents: 210, invoices: 1, platformShare: "0.3000" });
    // Feb: p2 + p3 + p4 = 300 + 500 + 1000 = 1800; fees 90 + 150 + 300 = 540; shares 1260.
    expect(months["2026-02"]).toMatchObject({ grossCents: 1800, platformFeeCents: 540, providerShareCents: 1260, invoices: 3, platformShare: "0.3000" });
    // Mar: p5 + p6 + p7 = 1000 + 999 + 500 = 2499; fees 300 + 300 + 150 = 750; shares 1749; 750/2499 = 0.30012 -> 0.3001.
    expect(months["2026-03"]).toMatchObject({ grossCents: 2499, platformFeeCents: 750, providerShareCents: 1749, invoices: 3, platformShare: "0.3001" });
    // Apr: p8 = 500 / 150 / 350.
    expect(months["2026-04"]).toMatchObject({ grossCents: 500, platformFeeCents: 150, providerShareCents: 350, invoices: 1 });
    // Totals: 5099 / 1530 / 3569.
    expect(a.revenue.totals).toMatchObject({ grossCents: 5099, platformFeeCents: 1530, providerShareCents: 3569, invoices: 8 });
    for (const m of a.revenue.byMonth) expect(Number.isInteger(m.grossCents) && Number.isInteger(m.platformFeeCents)).toBe(true);
    // P2: 700 + 700 + 699 = 2099; P1: 210 + 210 + 350 + 350 + 350 = 1470.
    expect(a.revenue.topProviders.map((p) => [p.slug, p.providerShareCents, p.grossCents])).toEqual([
      ["p-two", 2099, 2999],
      ["p-one", 1470, 2100],
    ]);
  });

  it("subscriptions: live and cancelled, monthly churn and average lifetime", async () => {
    await seed();
    const a = await computeAnalytics({ range: "30d", bucket: "day" }, NOW);
    // s6 (incomplete) is left out. Live: s2, s5 (2). Cancelled: s1, s3, s4 (3).
    expect(a.subscriptions).toMatchObject({ live: 2, active: 2, cancelled: 3 });
    const churn = Object.fromEntries(a.subscriptions.churn.map((m) => [m.month, m]));
    // Feb: live at Feb 1 00:00 = s1 (s2 starts at that instant: not before it) = 1; none ended -> 0.
    expect(churn["2026-02"]).toEqual({ month: "2026-02", liveAtStart: 1, started: 2, cancelled: 0, churned: 0, rate: "0.0000" });
    // Mar: live at Mar 1 = s1, s2, s4 = 3; ended in March: s1, s3 (2), of the base only s1 -> 1/3 = 0.3333.
    expect(churn["2026-03"]).toEqual({ month: "2026-03", liveAtStart: 3, started: 2, cancelled: 2, churned: 1, rate: "0.3333" });
    // Apr (to Apr 15): live at Apr 1 = s2, s4, s5 = 3; s4 ended Apr 2 -> 1/3.
    expect(churn["2026-04"]).toEqual({ month: "2026-04", liveAtStart: 3, started: 0, cancelled: 1, churned: 1, rate: "0.3333" });
    expect(a.subscriptions.lastMonthChurn?.month).toBe("2026-03");
    // Lifetimes (days): s1 Jan 15 -> Mar 10 = 17 (to Feb 1) + 28 + 9 = 54; s2 Feb 1 -> now (Apr 15 12:00) =
    // 28 + 31 + 14.5 = 73.5; s3 Mar 5 -> Mar 20 = 15; s4 Feb 10 -> Apr 2 = 19 + 31 + 1 = 51; s5 Mar 25 -> now =
    // 7 + 14.5 = 21.5. Mean = (54 + 73.5 + 15 + 51 + 21.5) / 5 = 215 / 5 = 43.00.
    expect(a.subscriptions.averageLifetimeDays).toBe("43.00");
  });

  it("signals by pair (src/lib/stats) and copy volume with execution quality", async () => {
    await seed();
    const a = await computeAnalytics({ range: "30d", bucket: "day" }, NOW);
    // Only the BTC trades closed inside the range. a: r = 1.1 - 1 - 0.001 - 0.0011 = 0.0979; b: r = 0.95 - 1 - 0.001 -
    // 0.00095 = -0.05195. Win rate 1/2; PF 0.0979 / 0.05195 = 1.884504331...; account 10000 + 1000 * 0.0979 = 10097.9,
    // then - 1009.79 * 0.05195 = 10045.4414095 -> ROI 0.00454414.
    expect(a.pairs).toEqual([{ symbol: "BTC/USDT", closed: 2, wins: 1, winRate: "0.50000000", roi: "0.00454414", profitFactor: "1.88450433" }]);
    const all = await computeAnalytics({ range: "all", bucket: "month" }, NOW);
    // ETH short 50 -> 45: r = 0.1 - 0.001 - 0.0009 = 0.0981; ROI = 1000 * 0.0981 / 10000 = 0.00981; no loss -> PF null.
    expect(all.pairs.find((p) => p.symbol === "ETH/USDT")).toEqual({ symbol: "ETH/USDT", closed: 1, wins: 1, winRate: "1.00000000", roi: "0.00981000", profitFactor: null });

    // In range: orders sent to a venue = 1, 2, 3 (filled), 4 (rejected), 6 (submitted) = 5; skipped 1; fill rate 3/5.
    // Notional 0.5 * 101 + 2 * 50.25 + 1 * 10 = 50.5 + 100.5 + 10 = 161.00. Slippage sorted -5, 10, 20: nearest rank
    // p50 = 2nd = 10, p95 = ceil(2.85) = 3rd = 20. Latency 100, 200, 300: p50 200, p95 300.
    expect(a.copy).toMatchObject({ decisions: 6, orders: 5, filled: 3, rejected: 1, skipped: 1, fillRate: "0.6000", notionalUsd: "161.00" });
    expect(Number(a.copy.slippageBps.p50)).toBe(10);
    expect(Number(a.copy.slippageBps.p95)).toBe(20);
    expect(a.copy.latencyMs).toEqual({ p50: 200, p95: 300 });
  });

  it("a fresh database gives zeros and empty lists, not errors", async () => {
    const a = await computeAnalytics({ range: "30d", bucket: "day" }, NOW);
    expect(a.users).toMatchObject({ total: 0, active: 0, added: 0 });
    expect(a.users.growth.every((p) => p.added === 0 && p.cumulative === 0)).toBe(true);
    expect(a.revenue.totals.grossCents).toBe(0);
    expect(a.revenue.topProviders).toEqual([]);
    expect(a.subscriptions).toMatchObject({ live: 0, cancelled: 0, averageLifetimeDays: null });
    expect(a.pairs).toEqual([]);
    expect(a.copy).toMatchObject({ orders: 0, fillRate: "0.0000", notionalUsd: "0", slippageBps: { p50: null, p95: null }, latencyMs: { p50: null, p95: null } });
  });
});

describe("analytics cache", () => {
  it("a second read within 5 minutes does not query the database; after 5 minutes (or fresh) it does", async () => {
    await seed();
    let now = NOW;
    const service = createAnalytics(() => now);
    const input = { range: "30d", bucket: "day" } as const;
    const first = await service.get(input);
    expect(first).toMatchObject({ cached: false, asOf: NOW });
    expect(first.users.total).toBe(6);
    // A user arriving after the first read: a cached answer cannot see it.
    await t.db.insert(users).values({ id: "usr_late", email: "late@example.com", role: "subscriber", createdAt: at("2026-04-15T11:00:00Z") });
    now = new Date(NOW.getTime() + 5 * 60_000 - 1);
    const second = await service.get(input);
    expect(second).toMatchObject({ cached: true, asOf: NOW });
    expect(second.users.total).toBe(6);
    // Another key is computed on its own.
    expect((await service.get({ range: "7d", bucket: "day" })).users.total).toBe(7);
    now = new Date(NOW.getTime() + 5 * 60_000);
    const third = await service.get(input);
    expect(third).toMatchObject({ cached: false, asOf: now });
    expect(third.users.total).toBe(7);
    await t.db.insert(users).values({ id: "usr_later", email: "later@example.com", role: "subscriber", createdAt: at("2026-04-15T11:30:00Z") });
    expect((await service.get(input)).users.total).toBe(7);
    expect((await service.get(input, { fresh: true })).users.total).toBe(8);
  });
});

describe("admin.analytics access", () => {
  it("admins read and refresh; subscribers and providers are refused; signed-out callers are unauthorised", async () => {
    const admin = await signedIn("admin");
    const overview = await admin.caller.admin.analytics.overview({ range: "30d", bucket: "week" });
    expect(overview.users.total).toBeGreaterThanOrEqual(1);
    expect(overview.asOf).toBeInstanceOf(Date);
    expect(await trpcCode(admin.caller.admin.analytics.refresh({ range: "30d", bucket: "week" }))).toBe("OK");
    for (const role of ["subscriber", "provider"] as const) {
      const other = await signedIn(role);
      expect(await trpcCode(other.caller.admin.analytics.overview({ range: "30d", bucket: "day" }))).toBe("FORBIDDEN");
      expect(await trpcCode(other.caller.admin.analytics.refresh({ range: "30d", bucket: "day" }))).toBe("FORBIDDEN");
    }
    const anon = await callerFor(null);
    expect(await trpcCode(anon.admin.analytics.overview({ range: "30d", bucket: "day" }))).toBe("UNAUTHORIZED");
    expect(await trpcCode(anon.admin.analytics.refresh({ range: "30d", bucket: "day" }))).toBe("UNAUTHORIZED");
  });

  it("refuses bad input with BAD_REQUEST", async () => {
    const admin = await signedIn("admin");
    expect(await trpcCode(admin.caller.admin.analytics.overview({ range: "30d", bucket: "hour" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(admin.caller.admin.analytics.overview({ range: "all", bucket: "day" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(admin.caller.admin.analytics.overview({ range: "2d" as never, bucket: "day" }))).toBe("BAD_REQUEST");
    expect(await trpcCode(admin.caller.admin.analytics.refresh({ range: "7d", bucket: "minute" as never }))).toBe("BAD_REQUEST");
  });
});
