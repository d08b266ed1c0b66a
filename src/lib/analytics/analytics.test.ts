import { describe, expect, it } from "vitest";
import { dayTrade } from "@/lib/stats/test-fixtures";
import {
  averageLifetimeDays,
  bucketFitsRange,
  bucketStart,
  churnByMonth,
  growthSeries,
  lastMonths,
  ratio,
  revenueByMonth,
  statsByPair,
  TtlCache,
} from "@/lib/analytics";

const t = (iso: string) => new Date(iso);

describe("buckets", () => {
  it("start in UTC; weeks on Monday", () => {
    const at = t("2026-03-05T13:45:10Z"); // a Thursday
    expect(bucketStart(at, "hour").toISOString()).toBe("2026-03-05T13:00:00.000Z");
    expect(bucketStart(at, "day").toISOString()).toBe("2026-03-05T00:00:00.000Z");
    expect(bucketStart(at, "week").toISOString()).toBe("2026-03-02T00:00:00.000Z");
    expect(bucketStart(t("2026-03-08T23:59:59Z"), "week").toISOString()).toBe("2026-03-02T00:00:00.000Z"); // Sunday
    expect(bucketStart(t("2026-03-09T00:00:00Z"), "week").toISOString()).toBe("2026-03-09T00:00:00.000Z"); // Monday
    expect(bucketStart(at, "month").toISOString()).toBe("2026-03-01T00:00:00.000Z");
  });

  it("fit their ranges", () => {
    expect(bucketFitsRange("7d", "hour")).toBe(true);
    expect(bucketFitsRange("30d", "hour")).toBe(false);
    expect(bucketFitsRange("all", "day")).toBe(false);
    expect(bucketFitsRange("all", "month")).toBe(true);
  });
});

describe("growthSeries", () => {
  it("fills empty buckets and carries the running total", () => {
    // 5 users before; 2 on Mar 2, 0 on Mar 3, 3 on Mar 4 -> cumulative 7, 7, 10.
    const s = growthSeries(
      [
        { start: t("2026-03-02T00:00:00Z"), n: 2 },
        { start: t("2026-03-04T00:00:00Z"), n: 3 },
      ],
      5,
      t("2026-03-02T08:00:00Z"),
      t("2026-03-04T20:00:00Z"),
      "day",
    );
    expect(s.map((p) => [p.start.toISOString().slice(0, 10), p.added, p.cumulative])).toEqual([
      ["2026-03-02", 2, 7],
      ["2026-03-03", 0, 7],
      ["2026-03-04", 3, 10],
    ]);
  });

  it("steps months by the calendar", () => {
    const s = growthSeries([{ start: t("2026-02-01T00:00:00Z"), n: 1 }], 0, t("2026-01-31T00:00:00Z"), t("2026-03-01T00:00:00Z"), "month");
    expect(s.map((p) => p.start.toISOString().slice(0, 7))).toEqual(["2026-01", "2026-02", "2026-03"]);
    expect(s.map((p) => p.cumulative)).toEqual([0, 1, 1]);
  });
});

describe("churn and lifetime", () => {
  const spans = [
    { startedAt: t("2026-01-10T00:00:00Z"), endedAt: t("2026-02-10T00:00:00Z") }, // live at Feb 1, ends in Feb: churn
    { startedAt: t("2026-01-20T00:00:00Z"), endedAt: null }, // live at Feb 1 and Mar 1
    { startedAt: t("2026-02-05T00:00:00Z"), endedAt: t("2026-02-25T00:00:00Z") }, // inside Feb: cancelled, not churn
    { startedAt: t("2026-01-25T00:00:00Z"), endedAt: t("2026-03-01T00:00:00Z") }, // ends at Mar 1 00:00: a March churn
  ];
  const now = t("2026-03-15T00:00:00Z");

  it("churn = ended during the month among those live at its start", () => {
    const [jan, feb, mar] = churnByMonth(spans, ["2026-01", "2026-02", "2026-03"], now);
    expect(jan).toEqual({ month: "2026-01", liveAtStart: 0, started: 3, cancelled: 0, churned: 0, rate: "0.0000" });
    // Feb: live at start = subs 1, 2, 4 (3); churned = sub 1 (1); cancelled = subs 1 and 3 (2). 1/3 = 0.3333
    expect(feb).toEqual({ month: "2026-02", liveAtStart: 3, started: 1, cancelled: 2, churned: 1, rate: "0.3333" });
    // Mar: live at start = subs 2, 4 (4 ends exactly at Mar 1, still live at that instant) -> 2; churned = sub 4. 1/2
    expect(mar).toEqual({ month: "2026-03", liveAtStart: 2, started: 0, cancelled: 1, churned: 1, rate: "0.5000" });
  });

  it("lifetime: mean of (end or now) - start in days", () => {
    // 31 + 54 (Jan 20 -> Mar 15) + 20 + 35 = 140 days / 4 = 35.00
    expect(averageLifetimeDays(spans, now)).toBe("35.00");
    expect(averageLifetimeDays([], now)).toBeNull();
  });

  it("lastMonths counts back across a year end", () => {
    expect(lastMonths(t("2026-02-10T00:00:00Z"), 3)).toEqual(["2025-12", "2026-01", "2026-02"]);
  });
});

describe("revenueByMonth", () => {
  it("fills empty months with zeros and states the platform share", () => {
    const rows = [{ month: "2026-02", grossCents: 1000, platformFeeCents: 300, providerShareCents: 700, refundedCents: 0, invoices: 2 }];
    const out = revenueByMonth(rows, ["2026-01", "2026-02"]);
    expect(out[0]).toMatchObject({ month: "2026-01", grossCents: 0, platformShare: "0.0000" });
    expect(out[1]).toMatchObject({ grossCents: 1000, platformFeeCents: 300, providerShareCents: 700, platformShare: "0.3000" });
    expect(() => revenueByMonth([{ ...rows[0]!, grossCents: 10.5 }], ["2026-02"])).toThrow(/integer of cents/);
  });

  it("ratio rounds half-up", () => {
    expect(ratio(1, 8)).toBe("0.1250");
    expect(ratio(2, 3)).toBe("0.6667");
    expect(ratio(1, 0)).toBe("0.0000");
  });
});

describe("statsByPair", () => {
  it("groups by symbol and reuses src/lib/stats", () => {
    const now = t("2026-03-31T00:00:00Z");
    const sigs = [
      { ...dayTrade("a", "2026-03-01", "long", "100", "90", "110"), symbol: "BTC/USDT" },
      { ...dayTrade("b", "2026-03-02", "long", "100", "90", "95"), symbol: "BTC/USDT" },
      { ...dayTrade("c", "2026-03-03", "short", "50", "55", "45"), symbol: "ETH/USDT" },
    ];
    const out = statsByPair(sigs, now);
    expect(out.map((p) => [p.symbol, p.closed, p.wins, p.winRate])).toEqual([
      ["BTC/USDT", 2, 1, "0.50000000"],
      ["ETH/USDT", 1, 1, "1.00000000"],
    ]);
    // a: r = 1.1 - 1 - 0.001 - 0.0011 = 0.0979; b: r = 0.95 - 1 - 0.001 - 0.00095 = -0.05195. PF = 0.0979/0.05195
    expect(out[0]!.profitFactor).toBe("1.88450433");
    expect(out[1]!.profitFactor).toBeNull();
    // BTC account: 10000 -> +1000*0.0979 = 10097.9 -> -1009.79*0.05195 = -52.4585905 -> 10045.4414095, ROI 0.00454414
    expect(out[0]!.roi).toBe("0.00454414");
  });
});

describe("TtlCache", () => {
  it("serves within the TTL, reloads after it and on fresh", async () => {
    let now = t("2026-03-01T12:00:00Z");
    const cache = new TtlCache<number>(5 * 60_000, () => now);
    let loads = 0;
    const load = async () => ++loads;
    expect((await cache.get("k", load)).value).toBe(1);
    now = new Date(now.getTime() + 4 * 60_000 + 59_999);
    expect(await cache.get("k", load)).toMatchObject({ value: 1, cached: true, at: t("2026-03-01T12:00:00Z") });
    expect((await cache.get("other", load)).value).toBe(2);
    now = new Date(t("2026-03-01T12:05:00Z"));
    expect(await cache.get("k", load)).toMatchObject({ value: 3, cached: false });
    expect((await cache.get("k", load, { fresh: true })).value).toBe(4);
  });

  it("does not keep a failed load", async () => {
    const cache = new TtlCache<number>(60_000, () => t("2026-03-01T12:00:00Z"));
    await expect(cache.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect((await cache.get("k", async () => 7)).value).toBe(7);
  });
});
