import { describe, expect, it } from "vitest";
import { planCopyOrder } from "./plan";
import type { PlanAccount, PlanDecision, PlanLeg, PlanMarket, PlanSettings, PlanSignal, SkipReason } from "./types";

/*
 * The base case, worked by hand once so every expectation below can be checked on paper:
 * BTC/USDT long, provider entry 60000, stop 58800; market at 60000 with 2 bps of slippage → expected fill
 * B = 60000 × 1.0002 = 60012. Equity 10000, allocation 10% → 1000 allocated; 20% of it per entry → 200.
 * 200 / 60012 = 0.0033326… → floored to the 0.00001 step: 0.00333. Notional 0.00333 × 60012 = 199.83996;
 * risk 0.00333 × (60012 − 58800 = 1212) = 4.03596.
 */
const T0 = Date.UTC(2025, 5, 16, 12, 0, 0);
const DAY = 86_400_000;

const SIGNAL: PlanSignal = {
  id: "sig_1",
  symbol: "BTC/USDT",
  side: "long",
  entryType: "market",
  entryPrice: "60000",
  stopLoss: "58800",
  publishedAt: T0,
  status: "open",
};
const SETTINGS: PlanSettings = {
  enabled: true,
  pausedReason: null,
  allocationPct: "0.1",
  allocatedAmount: null,
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
  startedAt: T0 - DAY,
};
const ACCOUNT: PlanAccount = {
  equity: "10000",
  dayStartEquity: "10000",
  openPositions: 0,
  providerPnl: "0",
  entitled: true,
  killSwitch: null,
  position: null,
};
const MARKET: PlanMarket = {
  price: "60000",
  slippageBps: "2",
  quantityStep: "0.00001",
  minQuantity: "0.00001",
  minNotional: "5",
  now: T0 + 30_000,
};
const ENTRY: PlanLeg = { kind: "entry", seq: 1, at: T0 };
const HELD: NonNullable<PlanAccount["position"]> = { quantity: "0.00333", initialQuantity: "0.00333", side: "long" };

interface Case {
  signal?: Partial<PlanSignal>;
  settings?: Partial<PlanSettings>;
  account?: Partial<PlanAccount>;
  market?: Partial<PlanMarket>;
  leg?: PlanLeg;
}

function plan(c: Case = {}): PlanDecision {
  return planCopyOrder(
    { ...SIGNAL, ...c.signal },
    c.leg ?? ENTRY,
    { ...SETTINGS, ...c.settings },
    { ...ACCOUNT, ...c.account },
    { ...MARKET, ...c.market },
  );
}

function exit(price: string, share: string | "all", leg: "tp" | "stop" | "close" | "manual" = "tp"): PlanLeg {
  return { kind: "exit", leg, seq: 2, at: T0 + 3_600_000, price, share };
}

/** The base entry order, with what a case changes. */
function entryOrder(o: { quantity: string; notional: string; riskAmount: string | null; expectedPrice?: string; side?: "buy" | "sell"; requestedPrice?: string }) {
  return {
    action: "order",
    leg: "entry",
    side: o.side ?? "buy",
    orderType: "market",
    requestedPrice: o.requestedPrice ?? "60000",
    expectedPrice: o.expectedPrice ?? "60012",
    quantity: o.quantity,
    notional: o.notional,
    riskAmount: o.riskAmount,
  };
}

/** Tables read [name, case, reason]; tests are named "name → reason". */
function byReason(cases: [string, Case, SkipReason | "order"][]): [string, SkipReason | "order", Case][] {
  return cases.map(([name, c, reason]) => [name, reason, c]);
}

function reasonOf(d: PlanDecision): SkipReason | "order" {
  return d.action === "skip" ? d.reason : "order";
}

describe("planCopyOrder: entries, sizing modes", () => {
  it("allocation (the default): 20% of the 10% allocated, on the expected fill", () => {
    expect(plan()).toEqual(entryOrder({ quantity: "0.00333", notional: "199.83996", riskAmount: "4.03596" }));
  });

  it.each<[string, Case, ReturnType<typeof entryOrder>]>([
    // 100 / 60012 = 0.00166633… → floored, not rounded: 0.00166
    ["fixed: the quote amount", { settings: { sizingMode: "fixed" } }, entryOrder({ quantity: "0.00166", notional: "99.61992", riskAmount: "2.01192" })],
    // 50 / 60012 = 0.00083316…
    ["fixed × scale 0.5", { settings: { sizingMode: "fixed", scale: "0.5" } }, entryOrder({ quantity: "0.00083", notional: "49.80996", riskAmount: "1.00596" })],
    // 2500 × 0.2 = 500; 500 / 60012 = 0.0083316…
    ["allocation of the amount set aside when copying started", { settings: { allocatedAmount: "2500" } }, entryOrder({ quantity: "0.00833", notional: "499.89996", riskAmount: "10.09596" })],
    // 1000 × 0.2 × 2 = 400; 400 / 60012 = 0.0066653…
    ["allocation × scale 2", { settings: { scale: "2" } }, entryOrder({ quantity: "0.00666", notional: "399.67992", riskAmount: "8.07192" })],
    // 10000 × 1% = 100 at risk over |60012 − 50000| = 10012 → 0.0099880… (worth 598.92, under the 1000 cap)
    ["risk: 1% of equity lost at the stop", { signal: { stopLoss: "50000" }, settings: { sizingMode: "risk" } }, entryOrder({ quantity: "0.00998", notional: "598.91976", riskAmount: "99.91976" })],
    // 100 / 1212 = 0.0825082… worth 4951.29: allowed with a 100% max position
    ["risk: a tight stop, no position cap", { settings: { sizingMode: "risk", maxPositionPct: "1" } }, entryOrder({ quantity: "0.0825", notional: "4950.99", riskAmount: "99.99" })],
    // 50 / 1212 = 0.0412541…
    ["risk × scale 0.5", { settings: { sizingMode: "risk", maxPositionPct: "1", scale: "0.5" } }, entryOrder({ quantity: "0.04125", notional: "2475.495", riskAmount: "49.995" })],
    // short: B = 60000 × 0.9998 = 59988; |59988 − 61200| = 1212 → 0.0825082…
    [
      "risk on a short",
      { signal: { side: "short", stopLoss: "61200" }, settings: { sizingMode: "risk", maxPositionPct: "1" } },
      entryOrder({ side: "sell", expectedPrice: "59988", quantity: "0.0825", notional: "4949.01", riskAmount: "99.99" }),
    ],
    // equity 8000 × 10% (the provider's standard account share) = 800; 800 / 60012 = 0.0133306…
    ["mirror: the provider's 10% of equity", { settings: { sizingMode: "mirror" }, account: { equity: "8000", dayStartEquity: "8000" } }, entryOrder({ quantity: "0.01333", notional: "799.95996", riskAmount: "16.15596" })],
    // 10000 × 10% × 0.5 = 500
    ["mirror × scale 0.5", { settings: { sizingMode: "mirror", scale: "0.5" } }, entryOrder({ quantity: "0.00833", notional: "499.89996", riskAmount: "10.09596" })],
    // mirror follows the provider's share of equity, not the amount set aside for the provider
    [
      "mirror ignores the allocation",
      { settings: { sizingMode: "mirror", scale: "0.5", allocatedAmount: "2500" } },
      entryOrder({ quantity: "0.00833", notional: "499.89996", riskAmount: "10.09596" }),
    ],
    // a signal without a stop sizes fine outside risk mode, and has no risk amount
    ["no stop: no risk amount", { signal: { stopLoss: null } }, entryOrder({ quantity: "0.00333", notional: "199.83996", riskAmount: null })],
  ])("%s", (_name, c, expected) => {
    expect(plan(c)).toEqual(expected);
  });
});

describe("planCopyOrder: entries, max position % of equity", () => {
  it.each<[string, Case, ReturnType<typeof entryOrder>]>([
    // 100 / 1212 would be worth 4951; capped at 10% of 10000 = 1000 → 1000 / 60012 = 0.0166633…
    ["caps risk sizing", { settings: { sizingMode: "risk" } }, entryOrder({ quantity: "0.01666", notional: "999.79992", riskAmount: "20.19192" })],
    // 2000 → 1000
    ["caps mirror × scale 2", { settings: { sizingMode: "mirror", scale: "2" } }, entryOrder({ quantity: "0.01666", notional: "999.79992", riskAmount: "20.19192" })],
    // 5000 × 1 = 5000 → capped at 5% of 10000 = 500
    ["caps allocation at 5%", { settings: { allocatedAmount: "5000", allocationShare: "1", maxPositionPct: "0.05" } }, entryOrder({ quantity: "0.00833", notional: "499.89996", riskAmount: "10.09596" })],
    // 3000 → capped at 1000
    ["caps fixed", { settings: { sizingMode: "fixed", fixedAmount: "3000" } }, entryOrder({ quantity: "0.01666", notional: "999.79992", riskAmount: "20.19192" })],
    // short: 1000 / 59988 = 0.0166700…; 0.01667 × 59988 = 999.99996, still under the cap
    [
      "caps risk on a short",
      { signal: { side: "short", stopLoss: "61200" }, settings: { sizingMode: "risk" } },
      entryOrder({ side: "sell", expectedPrice: "59988", quantity: "0.01667", notional: "999.99996", riskAmount: "20.20404" }),
    ],
  ])("%s", (_name, c, expected) => {
    expect(plan(c)).toEqual(expected);
  });
});

describe("planCopyOrder: entries, risk sizing needs a stop on the right side", () => {
  it.each(byReason([
    ["no stop", { signal: { stopLoss: null }, settings: { sizingMode: "risk" } }, "no_stop_for_risk_sizing"],
    ["long, stop above the expected fill", { signal: { stopLoss: "60500" }, settings: { sizingMode: "risk" } }, "stop_on_wrong_side"],
    ["long, stop at the expected fill", { signal: { stopLoss: "60012" }, settings: { sizingMode: "risk" } }, "stop_on_wrong_side"],
    ["short, stop below the expected fill", { signal: { side: "short", stopLoss: "59000" }, settings: { sizingMode: "risk" } }, "stop_on_wrong_side"],
    ["short, stop at the expected fill", { signal: { side: "short", stopLoss: "59988" }, settings: { sizingMode: "risk" } }, "stop_on_wrong_side"],
  ]))("%s → %s", (_name, reason, c) => {
    expect(reasonOf(plan(c))).toBe(reason);
  });

  it("the stop is checked against the expected fill, not the provider's entry", () => {
    // stop 59990 is below the provider's entry 60000, but the market fell to 59900: B = 59911.98 is under the stop
    const c: Case = { signal: { stopLoss: "59990" }, settings: { sizingMode: "risk" }, market: { price: "59900" } };
    expect(plan(c)).toEqual({
      action: "skip",
      reason: "stop_on_wrong_side",
      detail: "The stop 59990 is not below the expected entry 59911.98 for a long, so risk sizing cannot size the position.",
    });
    // with the market still at 60000 it fits: 100 / (60012 − 59990 = 22) = 4.5… → capped at 1000 / 60012
    expect(plan({ ...c, market: {} })).toEqual(entryOrder({ quantity: "0.01666", notional: "999.79992", riskAmount: "0.36652" }));
  });
});

describe("planCopyOrder: entries, the rules in order", () => {
  it.each(byReason([
    ["copying off", { settings: { enabled: false } }, "copying_off"],
    ["copying off comes before a pause", { settings: { enabled: false, pausedReason: "kill_switch" } }, "copying_off"],
    ["paused by the follower", { settings: { pausedReason: "paused" } }, "paused"],
    ["paused by the copy stop-loss", { settings: { pausedReason: "copy_stop" } }, "paused"],
    ["following stopped by the follower's kill switch", { settings: { pausedReason: "kill_switch" } }, "kill_switch"],
    ["provider stopped by an admin", { settings: { pausedReason: "provider_stopped" } }, "kill_switch"],
    ["platform kill switch", { account: { killSwitch: "platform" } }, "kill_switch"],
    ["provider kill switch", { account: { killSwitch: "provider" } }, "kill_switch"],
    ["kill switch before entitlement", { account: { killSwitch: "platform", entitled: false } }, "kill_switch"],
    ["lapsed subscription", { account: { entitled: false } }, "not_entitled"],
    ["entitlement before the signal's state", { account: { entitled: false }, signal: { status: "closed" } }, "not_entitled"],
    ["signal closed", { signal: { status: "closed" } }, "signal_finished"],
    ["signal cancelled", { signal: { status: "cancelled" } }, "signal_finished"],
    ["signal expired", { signal: { status: "expired" } }, "signal_finished"],
    ["finished before the symbol lists", { signal: { status: "closed" }, settings: { symbolsDeny: ["BTC/USDT"] } }, "signal_finished"],
    ["allow list without the symbol", { settings: { symbolsAllow: ["ETH/USDT"] } }, "symbol_not_allowed"],
    ["allow list with the symbol, any case", { settings: { symbolsAllow: ["ETH/USDT", "btc/usdt"] } }, "order"],
    ["deny list with the symbol, any case", { settings: { symbolsDeny: ["Btc/Usdt"] } }, "symbol_denied"],
    ["deny list without the symbol", { settings: { symbolsDeny: ["ETH/USDT"] } }, "order"],
    ["allowed and denied: denied", { settings: { symbolsAllow: ["BTC/USDT"], symbolsDeny: ["BTC/USDT"] } }, "symbol_denied"],
    ["symbol lists before timing", { settings: { symbolsDeny: ["BTC/USDT"], startedAt: T0 + 1 } }, "symbol_denied"],
    ["published before copying started", { settings: { startedAt: T0 + 1 } }, "opened_before_following"],
    ["published the moment copying started", { settings: { startedAt: T0 } }, "order"],
    ["published before, with copy-open-signals", { settings: { startedAt: T0 + 1, copyOpenSignals: true } }, "order"],
    ["published before, with copy-open-signals, a day old: age does not apply", { settings: { startedAt: T0 + DAY, copyOpenSignals: true }, market: { now: T0 + DAY + 5000 } }, "order"],
    ["copy-open-signals does not lift the age rule for new signals", { settings: { copyOpenSignals: true }, market: { now: T0 + 120_001 } }, "signal_too_old"],
    ["no start time: no before-following rule", { settings: { startedAt: null } }, "order"],
    ["exactly the max age", { market: { now: T0 + 120_000 } }, "order"],
    ["one ms past the max age", { market: { now: T0 + 120_001 } }, "signal_too_old"],
    ["a shorter max age", { settings: { maxSignalAgeSec: 10 }, market: { now: T0 + 10_001 } }, "signal_too_old"],
    ["age before max open positions", { account: { openPositions: 5 }, market: { now: T0 + 120_001 } }, "signal_too_old"],
    ["4 of 5 positions open", { account: { openPositions: 4 } }, "order"],
    ["5 of 5 positions open", { account: { openPositions: 5 } }, "max_open_positions"],
    ["1 of 1 position open", { settings: { maxOpenPositions: 1 }, account: { openPositions: 1 } }, "max_open_positions"],
    ["max open positions before the daily loss", { account: { openPositions: 5, equity: "9000" } }, "max_open_positions"],
    ["lost 499.99 of a 500 daily limit", { account: { equity: "9500.01" } }, "order"],
    ["lost exactly 5% today", { account: { equity: "9500" } }, "daily_loss_limit"],
    ["lost more than 5% today", { account: { equity: "9000" } }, "daily_loss_limit"],
    ["a 2% daily limit", { settings: { dailyLossPct: "0.02" }, account: { equity: "9800" } }, "daily_loss_limit"],
    ["no daily limit", { settings: { dailyLossPct: null }, account: { equity: "5000" } }, "order"],
    ["a gain today", { account: { equity: "12000" } }, "order"],
    ["daily loss before the copy stop-loss", { settings: { copyStopPct: "0.5" }, account: { equity: "9000", providerPnl: "-900" } }, "daily_loss_limit"],
    ["provider equity above the copy stop", { settings: { copyStopPct: "0.5", allocatedAmount: "1000" }, account: { providerPnl: "-499.99" } }, "order"],
    ["provider equity at the copy stop", { settings: { copyStopPct: "0.5", allocatedAmount: "1000" }, account: { providerPnl: "-500" } }, "copy_stop_loss"],
    ["the copy stop on equity × allocation when nothing was set aside", { settings: { copyStopPct: "0.8" }, account: { providerPnl: "-200" } }, "copy_stop_loss"],
    ["the copy stop on the amount set aside", { settings: { copyStopPct: "0.8", allocatedAmount: "2000" }, account: { providerPnl: "-200" } }, "order"],
    ["no copy stop", { settings: { copyStopPct: null }, account: { providerPnl: "-999" } }, "order"],
    ["copy stop before slippage", { settings: { copyStopPct: "0.5" }, account: { providerPnl: "-600" }, market: { price: "70000" } }, "copy_stop_loss"],
  ]))("%s → %s", (_name, expected, c) => {
    expect(reasonOf(plan(c))).toBe(expected);
  });

  it("a skip says why in a sentence a person can act on", () => {
    expect(plan({ account: { equity: "9500" } })).toEqual({
      action: "skip",
      reason: "daily_loss_limit",
      detail:
        "Today's loss of 500 reached the daily limit of 5% of the day's starting equity (10000): no new entries until 00:00 UTC; exits still run.",
    });
    expect(plan({ market: { now: T0 + 185_500 } })).toMatchObject({
      detail: "The signal was published 185 s ago, more than the 120 s this following allows for an entry.",
    });
  });

  it("an entry that passes the daily loss is sized on today's equity", () => {
    // 9500.01 × 0.1 × 0.2 = 190.0002; / 60012 = 0.0031660…
    expect(plan({ account: { equity: "9500.01" } })).toEqual(entryOrder({ quantity: "0.00316", notional: "189.63792", riskAmount: "3.82992" }));
  });
});

describe("planCopyOrder: entries, the slippage guard", () => {
  it.each(byReason([
    // no modelled slippage: B = market price; 300 / 60000 = 0.5% exactly
    ["long, 0.5% worse: allowed", { market: { price: "60300", slippageBps: "0" } }, "order"],
    ["long, just over 0.5% worse", { market: { price: "60300.01", slippageBps: "0" } }, "slippage_exceeded"],
    // the modelled slippage counts: 60290 × 1.0002 = 60302.058, 0.5034% worse
    ["long, drift plus modelled slippage over 0.5%", { market: { price: "60290" } }, "slippage_exceeded"],
    ["long, drift alone under 0.5%", { market: { price: "60290", slippageBps: "0" } }, "order"],
    ["long, a tighter 0.1% limit", { settings: { maxSlippagePct: "0.001" }, market: { price: "60061" } }, "slippage_exceeded"],
    ["long, a big favourable drift is fine", { market: { price: "50000" } }, "order"],
    ["short, 0.5% worse: allowed", { signal: { side: "short", stopLoss: "61200" }, market: { price: "59700", slippageBps: "0" } }, "order"],
    ["short, just over 0.5% worse", { signal: { side: "short", stopLoss: "61200" }, market: { price: "59699.99", slippageBps: "0" } }, "slippage_exceeded"],
    ["short, a big favourable drift is fine", { signal: { side: "short", stopLoss: "71200" }, market: { price: "70000" } }, "order"],
    ["a filled limit signal (open) is entered at market, with the guard", { signal: { entryType: "limit" }, market: { price: "61000" } }, "slippage_exceeded"],
    ["a pending limit signal is entered as a limit order, without the guard", { signal: { entryType: "limit", status: "pending" }, market: { price: "61000" } }, "order"],
    ["the guard comes before sizing", { settings: { sizingMode: "risk" }, signal: { stopLoss: null }, market: { price: "70000" } }, "slippage_exceeded"],
  ]))("%s → %s", (_name, expected, c) => {
    expect(reasonOf(plan(c))).toBe(expected);
  });

  it("a favourable drift is sized on the better price", () => {
    // B = 55000 × 1.0002 = 55011; 200 / 55011 = 0.0036356…; risk 0.00363 × (55011 − 50000)
    expect(plan({ signal: { stopLoss: "50000" }, market: { price: "55000" } })).toEqual(
      entryOrder({ expectedPrice: "55011", quantity: "0.00363", notional: "199.68993", riskAmount: "18.18993" }),
    );
  });

  it("names the deviation and the limit", () => {
    expect(plan({ market: { price: "60600", slippageBps: "0" } })).toEqual({
      action: "skip",
      reason: "slippage_exceeded",
      detail: "The expected fill 60600 is 1% worse than the provider's entry 60000, more than the 0.5% this following allows.",
    });
  });

  it("a pending limit entry: a limit order at the provider's price, sized on it", () => {
    // 200 / 59000 = 0.0033898…; risk 0.00338 × (59000 − 58800)
    expect(plan({ signal: { entryType: "limit", status: "pending", entryPrice: "59000" }, market: { price: "65000" } })).toEqual({
      action: "order",
      leg: "entry",
      side: "buy",
      orderType: "limit",
      limitPrice: "59000",
      requestedPrice: "59000",
      expectedPrice: "59000",
      quantity: "0.00338",
      notional: "199.42",
      riskAmount: "0.676",
    });
  });
});

describe("planCopyOrder: entries, minimums and precision", () => {
  it.each(byReason([
    // 0.5 / 60012 = 0.0000083 → 0 at the step
    ["rounds to zero at the step", { settings: { sizingMode: "fixed", fixedAmount: "0.5" } }, "below_minimum"],
    // 4.9 / 60012 = 0.0000816 → 0.00008, worth 4.80096 < 5
    ["under the minimum notional", { settings: { sizingMode: "fixed", fixedAmount: "4.9" } }, "below_minimum"],
    // 6 / 60012 = 0.0000999 → 0.00009, worth 5.40108
    ["just over the minimum notional", { settings: { sizingMode: "fixed", fixedAmount: "6" } }, "order"],
    ["under the minimum quantity", { settings: { sizingMode: "fixed", fixedAmount: "6" }, market: { minQuantity: "0.0001" } }, "below_minimum"],
    ["zero equity", { account: { equity: "0", dayStartEquity: "0" }, settings: { dailyLossPct: null } }, "below_minimum"],
    ["a zero quantity is refused even with no minimums", { settings: { sizingMode: "fixed", fixedAmount: "0.5" }, market: { minQuantity: "0", minNotional: "0" } }, "below_minimum"],
  ]))("%s → %s", (_name, expected, c) => {
    expect(reasonOf(plan(c))).toBe(expected);
  });

  it("names the minimum it missed", () => {
    expect(plan({ settings: { sizingMode: "fixed", fixedAmount: "4.9" } })).toEqual({
      action: "skip",
      reason: "below_minimum",
      detail: "The position would be worth 4.8, below the market's minimum order value of 5.",
    });
    expect(plan({ settings: { sizingMode: "fixed", fixedAmount: "6" }, market: { minQuantity: "0.0001" } })).toEqual({
      action: "skip",
      reason: "below_minimum",
      detail: "The position would be 0.00009 BTC (in steps of 0.00001), below the market's minimum quantity of 0.0001.",
    });
  });

  it("the smallest order that passes", () => {
    expect(plan({ settings: { sizingMode: "fixed", fixedAmount: "6" } })).toEqual(
      entryOrder({ quantity: "0.00009", notional: "5.40108", riskAmount: "0.10908" }),
    );
  });

  it("ETH at 3000: a 0.0001 step, trailing zeros trimmed", () => {
    // B = 3000 × 1.0002 = 3000.6; 100 / 3000.6 = 0.033326… → 0.0333; risk 0.0333 × 100.6
    const d = plan({
      signal: { symbol: "ETH/USDT", entryPrice: "3000.00", stopLoss: "2900" },
      settings: { sizingMode: "fixed" },
      market: { price: "3000", quantityStep: "0.0001", minQuantity: "0.0001" },
    });
    expect(d).toEqual(entryOrder({ requestedPrice: "3000", expectedPrice: "3000.6", quantity: "0.0333", notional: "99.91998", riskAmount: "3.34998" }));
  });

  it("EUR/USD: micro lots of 1000, the expected fill rounded to 8 dp", () => {
    // B = 1.08423 × 1.0001 = 1.084338423 → 1.08433842; 5000 / B = 4611.1 → 4000
    const d = plan({
      signal: { symbol: "EUR/USD", entryPrice: "1.08423", stopLoss: "1.079" },
      settings: { sizingMode: "fixed", fixedAmount: "5000", maxPositionPct: "1" },
      market: { price: "1.08423", slippageBps: "1", quantityStep: "1000", minQuantity: "1000", minNotional: "0" },
    });
    expect(d).toEqual(
      entryOrder({ requestedPrice: "1.08423", expectedPrice: "1.08433842", quantity: "4000", notional: "4337.35368", riskAmount: "21.35368" }),
    );
  });

  it("a tiny quantity prints without an exponent", () => {
    // 0.05 / 1000000 = 0.00000005
    const d = plan({
      signal: { entryPrice: "1000000", stopLoss: "900000" },
      settings: { sizingMode: "fixed", fixedAmount: "0.05" },
      market: { price: "1000000", slippageBps: "0", quantityStep: "0.00000001", minQuantity: "0.00000001", minNotional: "0" },
    });
    expect(d).toMatchObject({ action: "order", quantity: "0.00000005", notional: "0.05", riskAmount: "0.005" });
  });

  it("rounds money half-up to 8 dp", () => {
    // B = 0.123456789 × 1.0002 = 0.1234814803578 → 0.12348148; 100 / B = 809.84… → 809 at a step of 1
    const d = plan({
      signal: { symbol: "DOGE/USDT", entryPrice: "0.123456789", stopLoss: "0.1" },
      settings: { sizingMode: "fixed" },
      market: { price: "0.123456789", quantityStep: "1", minQuantity: "1" },
    });
    // notional 809 × 0.12348148 = 99.89651732; risk 809 × 0.02348148 = 18.99651732
    expect(d).toEqual(
      entryOrder({ requestedPrice: "0.12345679", expectedPrice: "0.12348148", quantity: "809", notional: "99.89651732", riskAmount: "18.99651732" }),
    );
  });
});

describe("planCopyOrder: exits", () => {
  const held = (p: Partial<typeof HELD> = {}) => ({ account: { position: { ...HELD, ...p } } });

  it("a target closes the same share of the follower's original size, to the nearest step", () => {
    // 0.00333 × 0.5 = 0.001665 → 0.00167 (half-up); sell at 63000 × 0.9998 = 62987.4
    expect(plan({ ...held(), leg: exit("63000", "0.5") })).toEqual({
      action: "order",
      leg: "tp",
      side: "sell",
      orderType: "market",
      quantity: "0.00167",
      requestedPrice: "63000",
      expectedPrice: "62987.4",
      notional: "105.188958",
      riskAmount: null,
    });
  });

  it.each<[string, Partial<typeof HELD>, PlanLeg, string]>([
    ["0.5 of 0.01", { quantity: "0.01", initialQuantity: "0.01" }, exit("63000", "0.5"), "0.005"],
    ["then 0.3 of 0.01", { quantity: "0.005", initialQuantity: "0.01" }, exit("63000", "0.3"), "0.003"],
    ["then 0.2 of 0.01: all that is left", { quantity: "0.002", initialQuantity: "0.01" }, exit("63000", "0.2"), "0.002"],
    ["0.3 of 0.00333 after half: 0.000999 → 0.001", { quantity: "0.00166", initialQuantity: "0.00333" }, exit("63000", "0.3"), "0.001"],
    ["0.2 of 0.00333 with 0.00066 left: no more than is held", { quantity: "0.00066", initialQuantity: "0.00333" }, exit("63000", "0.2"), "0.00066"],
    ["under one step would remain: closes it all", { quantity: "0.003335", initialQuantity: "0.003335" }, exit("63000", "0.999"), "0.003335"],
    ["one step remains: kept", { quantity: "0.003335", initialQuantity: "0.003335" }, exit("63000", "0.997"), "0.00332"],
    ["a share under half a step still closes one step", {}, exit("63000", "0.001"), "0.00001"],
    ["all", { quantity: "0.00166" }, exit("58800", "all", "stop"), "0.00166"],
    ["a share over 1 closes what is held", {}, exit("63000", "1.5", "close"), "0.00333"],
  ])("%s → %s", (_name, position, leg, quantity) => {
    expect(plan({ ...held(position), leg })).toMatchObject({ action: "order", quantity });
  });

  it("a stop on a short buys back, paying the slippage", () => {
    // 61200 × 1.0002 = 61212.24
    expect(plan({ ...held({ side: "short" }), leg: exit("61200", "all", "stop") })).toEqual({
      action: "order",
      leg: "stop",
      side: "buy",
      orderType: "market",
      quantity: "0.00333",
      requestedPrice: "61200",
      expectedPrice: "61212.24",
      notional: "203.8367592",
      riskAmount: null,
    });
  });

  it.each<[string, Case]>([
    ["no position", { account: { position: null } }],
    ["a position already closed", { account: { position: { ...HELD, quantity: "0" } } }],
  ])("%s → no_position", (_name, c) => {
    expect(reasonOf(plan({ ...c, leg: exit("63000", "all", "close") }))).toBe("no_position");
  });

  // Every entry rule at once, and each alone: none of them refuses an exit.
  const refusesEntries: [string, Case][] = [
    ["copying off", { settings: { enabled: false } }],
    ["paused", { settings: { pausedReason: "paused" } }],
    ["copy stop pause", { settings: { pausedReason: "copy_stop" } }],
    ["follower kill switch", { settings: { pausedReason: "kill_switch" } }],
    ["provider stopped", { settings: { pausedReason: "provider_stopped" } }],
    ["platform kill switch", { account: { killSwitch: "platform" } }],
    ["provider kill switch", { account: { killSwitch: "provider" } }],
    ["lapsed subscription", { account: { entitled: false } }],
    ["signal closed", { signal: { status: "closed" } }],
    ["symbol not allowed", { settings: { symbolsAllow: ["ETH/USDT"] } }],
    ["symbol denied", { settings: { symbolsDeny: ["BTC/USDT"] } }],
    ["published before following", { settings: { startedAt: T0 + 1 } }],
    ["old signal", { market: { now: T0 + DAY } }],
    ["max open positions", { account: { openPositions: 5 } }],
    ["daily loss limit", { account: { equity: "9000" } }],
    ["copy stop-loss", { settings: { copyStopPct: "0.5" }, account: { providerPnl: "-600" } }],
    ["huge drift", { market: { price: "90000" } }],
    ["under the minimum notional", { market: { minNotional: "1000" } }],
    ["under the minimum quantity", { market: { minQuantity: "1" } }],
    ["risk sizing without a stop", { settings: { sizingMode: "risk" }, signal: { stopLoss: null } }],
  ];

  it.each(refusesEntries)("%s: the entry is skipped but the exit orders", (_name, c) => {
    expect(plan(c).action).toBe("skip");
    const d = plan({ ...c, account: { ...c.account, position: HELD }, leg: exit("90000", "all", "close") });
    // 90000 × 0.9998 = 89982; 0.00333 × 89982 = 299.64006
    expect(d).toEqual({
      action: "order",
      leg: "close",
      side: "sell",
      orderType: "market",
      quantity: "0.00333",
      requestedPrice: "90000",
      expectedPrice: "89982",
      notional: "299.64006",
      riskAmount: null,
    });
  });

  it("all the entry rules at once still let the exit through", () => {
    const everything = refusesEntries.reduce<Required<Omit<Case, "leg">>>(
      (acc, [, c]) => ({
        signal: { ...acc.signal, ...c.signal },
        settings: { ...acc.settings, ...c.settings },
        account: { ...acc.account, ...c.account },
        market: { ...acc.market, ...c.market },
      }),
      { signal: {}, settings: {}, account: {}, market: {} },
    );
    const d = plan({ ...everything, account: { ...everything.account, position: HELD }, leg: exit("90000", "0.5", "manual") });
    expect(d).toMatchObject({ action: "order", leg: "manual", side: "sell", quantity: "0.00167", expectedPrice: "89982" });
  });
});
