import { describe, expect, it } from "vitest";
import {
  FOLLOW_SETTINGS_DEFAULTS,
  cursorSchema,
  followSettingsSchema,
  fractionToPercent,
  orderFiltersSchema,
  percentToFraction,
  resolveSymbolLists,
  setPlatformKillSwitchSchema,
  sizingPreviewSchema,
  ordersQuerySchema,
  positionsQuerySchema,
} from "./copy";

const messages = (input: unknown) => {
  const r = followSettingsSchema.safeParse(input);
  return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
};

describe("followSettingsSchema", () => {
  it("gives the issue's defaults for an empty input", () => {
    expect(followSettingsSchema.parse({})).toEqual({
      allocationPct: "0.1",
      sizingMode: "allocation",
      fixedAmount: "100",
      allocationShare: "0.2",
      riskPct: "0.01",
      scale: "1",
      maxPositionPct: "0.1",
      maxOpenPositions: 5,
      dailyLossPct: "0.05",
      copyStopPct: null,
      maxSlippagePct: "0.005",
      maxSignalAgeSec: 120,
      symbolsAllow: [],
      symbolsDeny: [],
      copyOpenSignals: false,
    });
    expect(followSettingsSchema.parse({})).toEqual(FOLLOW_SETTINGS_DEFAULTS);
  });

  it("accepts every bound inclusive and normalises decimals (text or number)", () => {
    const v = followSettingsSchema.parse({
      allocationPct: "1.000",
      fixedAmount: 1_000_000,
      allocationShare: "0.01",
      riskPct: "0.001",
      scale: "0.10",
      maxPositionPct: 1,
      maxOpenPositions: 50,
      dailyLossPct: "0.005",
      copyStopPct: "0.95",
      maxSlippagePct: "0",
      maxSignalAgeSec: 86_400,
      sizingMode: "risk",
    });
    expect(v).toMatchObject({ allocationPct: "1", fixedAmount: "1000000", scale: "0.1", maxPositionPct: "1", maxSlippagePct: "0", copyStopPct: "0.95" });
    expect(followSettingsSchema.parse({ dailyLossPct: null, copyStopPct: null })).toMatchObject({ dailyLossPct: null, copyStopPct: null });
  });

  it("refuses each field out of range with a message naming the limit", () => {
    expect(messages({ allocationPct: "0.009" })).toEqual({ allocationPct: "Allocation must be between 1% and 100% (as a fraction: 0.1 is 10%)" });
    expect(messages({ allocationPct: "10" }).allocationPct).toMatch(/between 1% and 100%/);
    expect(messages({ fixedAmount: "0" })).toEqual({ fixedAmount: "Fixed amount must be more than 0 and at most 1,000,000" });
    expect(messages({ fixedAmount: "1000000.01" }).fixedAmount).toMatch(/at most 1,000,000/);
    expect(messages({ allocationShare: "1.5" }).allocationShare).toMatch(/^Share of the allocation per trade must be between 1% and 100%/);
    expect(messages({ riskPct: "0.2" }).riskPct).toMatch(/^Risk per trade must be between 0.1% and 10%/);
    expect(messages({ scale: "2.5" })).toEqual({ scale: "Scale must be between 0.1 and 2" });
    expect(messages({ scale: "0.05" })).toEqual({ scale: "Scale must be between 0.1 and 2" });
    expect(messages({ maxPositionPct: "0" }).maxPositionPct).toMatch(/^Max position size must be between 1% and 100%/);
    expect(messages({ maxOpenPositions: 0 })).toEqual({ maxOpenPositions: "Allow at least 1 open position" });
    expect(messages({ maxOpenPositions: 51 })).toEqual({ maxOpenPositions: "Max open positions can be at most 50" });
    expect(messages({ maxOpenPositions: 2.5 })).toEqual({ maxOpenPositions: "Max open positions must be a whole number" });
    expect(messages({ dailyLossPct: "0.001" }).dailyLossPct).toMatch(/^Daily loss limit must be between 0.5% and 50%/);
    expect(messages({ copyStopPct: "0.99" }).copyStopPct).toMatch(/^Copy stop-loss must be between 5% and 95%/);
    expect(messages({ maxSlippagePct: "0.06" }).maxSlippagePct).toMatch(/^Max entry slippage must be between 0% and 5%/);
    expect(messages({ maxSlippagePct: "-0.001" }).maxSlippagePct).toMatch(/between 0% and 5%/);
    expect(messages({ maxSignalAgeSec: 4 })).toEqual({ maxSignalAgeSec: "Max signal age must be at least 5 seconds" });
    expect(messages({ maxSignalAgeSec: 86_401 })).toEqual({ maxSignalAgeSec: "Max signal age can be at most 86,400 seconds (one day)" });
    expect(messages({ sizingMode: "kelly" })).toEqual({ sizingMode: "Sizing must be fixed amount, share of allocation, risk or mirror" });
    expect(messages({ copyOpenSignals: "yes" })).toEqual({ copyOpenSignals: "Say whether to copy signals already open (true or false)" });
  });

  it("refuses text that is not a number without letting decimal.js throw", () => {
    expect(messages({ scale: "abc" })).toEqual({ scale: "Scale must be a number like 1" });
    expect(messages({ allocationPct: "1e-2" })).toEqual({ allocationPct: "Allocation must be a number like 0.1" });
    expect(messages({ allocationPct: { x: 1 } })).toEqual({ allocationPct: "Allocation must be a number like 0.1" });
  });

  it("caps the symbol lists and refuses empty entries and unknown keys", () => {
    const many = Array.from({ length: 51 }, (_, i) => `S${i}/USDT`);
    expect(messages({ symbolsAllow: many })).toEqual({ symbolsAllow: "The allow list can hold at most 50 symbols" });
    expect(messages({ symbolsDeny: ["  "] })).toEqual({ "symbolsDeny.0": "Remove the empty entry from the deny list" });
    expect(followSettingsSchema.safeParse({ enabled: true }).success).toBe(false);
  });
});

describe("resolveSymbolLists", () => {
  const known: Record<string, string> = { "BTC/USDT": "BTC/USDT", BTCUSDT: "BTC/USDT", "ETH/USDT": "ETH/USDT" };
  const resolve = (s: string) => known[s.toUpperCase()] ?? null;

  it("resolves, de-duplicates and names unknown symbols", () => {
    expect(resolveSymbolLists({ symbolsAllow: ["btcusdt", "BTC/USDT"], symbolsDeny: ["eth/usdt"] }, resolve)).toEqual({
      symbolsAllow: ["BTC/USDT"],
      symbolsDeny: ["ETH/USDT"],
      fieldErrors: {},
    });
    expect(resolveSymbolLists({ symbolsAllow: ["DOGE/USDT"], symbolsDeny: ["XRP", "ADA"] }, resolve).fieldErrors).toEqual({
      symbolsAllow: '"DOGE/USDT" in the allow list is not a symbol we have prices for. Use a listed symbol like BTC/USDT',
      symbolsDeny: '"XRP", "ADA" in the deny list are not symbols we have prices for. Use listed symbols like BTC/USDT',
    });
  });

  it("refuses a symbol on both lists, whatever its spelling", () => {
    expect(resolveSymbolLists({ symbolsAllow: ["BTCUSDT"], symbolsDeny: ["BTC/USDT"] }, resolve).fieldErrors).toEqual({
      symbolsDeny: "BTC/USDT is on both the allow and the deny list; keep it on one",
    });
  });
});

describe("other copy inputs", () => {
  it("converts percentages for the form exactly", () => {
    expect(percentToFraction("12.5")).toBe("0.125");
    expect(fractionToPercent("0.005")).toBe("0.5");
  });

  it("needs a side with a preview symbol, and a reason to turn the platform switch on", () => {
    expect(sizingPreviewSchema.safeParse({ providerId: "prv_1", symbol: "BTC/USDT" }).error?.issues[0]?.message).toBe("Choose long or short for the preview");
    expect(setPlatformKillSwitchSchema.safeParse({ on: true }).error?.issues[0]?.message).toBe("Say why copying is being stopped (at least 3 characters)");
    expect(setPlatformKillSwitchSchema.parse({ on: false })).toEqual({ on: false, reason: "" });
  });

  it("reads order filters from a query string and refuses a reversed range", () => {
    expect(orderFiltersSchema.parse({ from: "2026-01-01", to: "2026-01-31", leg: "entry" })).toEqual({ from: new Date("2026-01-01"), to: new Date("2026-01-31"), leg: "entry" });
    expect(orderFiltersSchema.safeParse({ from: "2026-02-01", to: "2026-01-01" }).error?.issues[0]?.message).toBe("“To” must be on or after “From”");
    expect(orderFiltersSchema.safeParse({ from: "yesterday" }).error?.issues[0]?.message).toBe("From must be a date like 2026-01-31");
    expect(orderFiltersSchema.safeParse({ leg: "exit" }).error?.issues[0]?.message).toBe("Leg must be one of entry, tp, stop, close, manual");
  });
});

describe("journal date filters and cursors", () => {
  it("refuse dates the database cannot hold, booleans and null, with a message, and take real dates", () => {
    for (const from of ["-271821-04-20T00:00:00Z", -8640000000000000, "0000-01-01", "+275760-09-13T00:00:00Z", true, null]) {
      const r = orderFiltersSchema.safeParse({ from });
      expect(r.success, JSON.stringify(from)).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/^From must be/);
    }
    expect(orderFiltersSchema.parse({ from: "2026-01-31", to: new Date("2026-02-01T00:00:00Z") })).toMatchObject({ from: new Date("2026-01-31T00:00:00Z") });
    expect(cursorSchema.safeParse("0000-01-01T00:00:00Z~abc").success).toBe(false);
    expect(cursorSchema.safeParse("2026-13-45T00:00:00Z~abc").success).toBe(false);
    expect(cursorSchema.safeParse("2026-01-31T10:00:00.123456Z~cpo_abc").success).toBe(true);
  });
});

describe("journal list inputs", () => {
  it("take a null cursor as the first page (tRPC's server-side prefetch of an infinite query sends cursor: null)", () => {
    expect(ordersQuerySchema.parse({ filters: {}, limit: 25, cursor: null }).cursor).toBeUndefined();
    expect(positionsQuerySchema.parse({ status: "open", cursor: null }).cursor).toBeUndefined();
    expect(ordersQuerySchema.safeParse({ cursor: "nonsense" }).success).toBe(false);
  });
});
