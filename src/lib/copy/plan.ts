/**
 * The copy planner: given a signal event's leg and one follower's settings, account and the market, decide whether
 * to place a copy order and what it is, or skip with a reason. Pure and deterministic (time comes from
 * `market.now`), so the fan-out job, the sizing preview in the browser and the tests all run the same rules.
 *
 * Entries go through every rule, in a fixed order (the first that applies is the reason given). Exits go through
 * none: a follower who holds a position always gets the signal's exit, whatever their kill switches, pauses,
 * subscription, slippage or the market's minimums say.
 *
 * Rounding (see fills.ts): quantities are floored to the market's step for entries (never more than the sizing
 * asked for) and rounded half-up to the step for partial exits (the nearest to the provider's share); prices,
 * notionals and risk amounts are rounded half-up to 8 dp once, on the way out. Intermediate maths is exact or at 40
 * significant digits (decimal.js), never floats.
 */
import type Decimal from "decimal.js";
import { ALLOCATION } from "@/lib/stats/constants";
import { D } from "@/lib/stats/decimal";
import { dec, marketFill, out } from "./fills";
import type { OrderSide, PlanAccount, PlanDecision, PlanLeg, PlanMarket, PlanSettings, PlanSignal, SkipReason } from "./types";

type EntryLeg = Extract<PlanLeg, { kind: "entry" }>;
type ExitLeg = Extract<PlanLeg, { kind: "exit" }>;

/** Signal statuses after which no follower enters. */
const FINISHED = new Set<PlanSignal["status"]>(["closed", "cancelled", "expired"]);

export function planCopyOrder(
  signal: PlanSignal,
  leg: PlanLeg,
  settings: PlanSettings,
  account: PlanAccount,
  market: PlanMarket,
): PlanDecision {
  return leg.kind === "exit" ? planExit(leg, account, market) : planEntry(signal, leg, settings, account, market);
}

/** The order side that opens a position on this side (long → buy) or, with `closing`, closes it (long → sell). */
export function orderSide(side: "long" | "short", closing = false): OrderSide {
  return (side === "long") !== closing ? "buy" : "sell";
}

function skip(reason: SkipReason, detail: string): PlanDecision {
  return { action: "skip", reason, detail };
}

/** A quantity as a plain decimal string (no exponent, trailing zeros trimmed, never "-0"); no rounding. */
function qty(value: Decimal): string {
  return value.isZero() ? "0" : value.toFixed();
}

/** A share as a percentage for people: 0.005 → "0.5%". */
function pct(share: Decimal): string {
  return `${out(share.mul(100), 2)}%`;
}

function canonical(symbol: string): string {
  return symbol.trim().toUpperCase();
}

function planEntry(signal: PlanSignal, _leg: EntryLeg, s: PlanSettings, account: PlanAccount, market: PlanMarket): PlanDecision {
  // ---- the follower's switches, entitlement and the signal's state --------------------------------------------
  if (!s.enabled) return skip("copying_off", "Copying is turned off for this provider: no new entries.");
  if (s.pausedReason !== null) {
    if (s.pausedReason === "provider_stopped") {
      return skip("kill_switch", "Copying of this provider was stopped by an administrator: no new entries; open copies still get their exits.");
    }
    if (s.pausedReason === "kill_switch") {
      return skip("kill_switch", "The kill switch stopped this following: no new entries; open copies still get their exits.");
    }
    return skip(
      "paused",
      s.pausedReason === "copy_stop"
        ? "Following is paused by the copy stop-loss: no new entries until it is resumed; open copies still get their exits."
        : "Following is paused: no new entries until it is resumed; open copies still get their exits.",
    );
  }
  if (account.killSwitch === "platform") {
    return skip("kill_switch", "The platform kill switch is on: no new entries anywhere; open copies still get their exits.");
  }
  if (account.killSwitch === "provider") {
    return skip("kill_switch", "Copying of this provider is stopped: no new entries; open copies still get their exits.");
  }
  if (!account.entitled) {
    return skip("not_entitled", "The subscription to this provider is not active: no new entries; open copies still get their exits.");
  }
  if (FINISHED.has(signal.status)) return skip("signal_finished", `The signal is already ${signal.status}: there is nothing to enter.`);

  const symbol = canonical(signal.symbol);
  if (s.symbolsAllow.length > 0 && !s.symbolsAllow.some((x) => canonical(x) === symbol)) {
    return skip("symbol_not_allowed", `${signal.symbol} is not in this following's list of symbols to copy.`);
  }
  if (s.symbolsDeny.some((x) => canonical(x) === symbol)) {
    return skip("symbol_denied", `${signal.symbol} is in this following's list of symbols not to copy.`);
  }

  // ---- timing -------------------------------------------------------------------------------------------------
  const openedBefore = s.startedAt !== null && signal.publishedAt < s.startedAt;
  if (openedBefore && !s.copyOpenSignals) {
    return skip(
      "opened_before_following",
      "The signal was published before copying was turned on, and signals already open are not copied (see “also copy signals already open”).",
    );
  }
  // An already-open signal the follower asked for is entered whatever its age: the age rule guards against late
  // deliveries of new signals, not against the follower's explicit choice.
  const ageMs = market.now - signal.publishedAt;
  if (!openedBefore && ageMs > s.maxSignalAgeSec * 1000) {
    return skip(
      "signal_too_old",
      `The signal was published ${Math.floor(ageMs / 1000)} s ago, more than the ${s.maxSignalAgeSec} s this following allows for an entry.`,
    );
  }

  // ---- risk limits --------------------------------------------------------------------------------------------
  if (account.openPositions >= s.maxOpenPositions) {
    return skip(
      "max_open_positions",
      `${account.openPositions} positions from this provider are open, and this following allows at most ${s.maxOpenPositions}.`,
    );
  }
  const equity = dec(account.equity, "equity");
  if (s.dailyLossPct !== null) {
    const dayStart = dec(account.dayStartEquity, "dayStartEquity");
    const limit = dec(s.dailyLossPct, "dailyLossPct");
    const loss = dayStart.minus(equity);
    if (loss.gte(dayStart.mul(limit))) {
      return skip(
        "daily_loss_limit",
        `Today's loss of ${out(loss, 2)} reached the daily limit of ${pct(limit)} of the day's starting equity (${out(dayStart, 2)}): no new entries until 00:00 UTC; exits still run.`,
      );
    }
  }
  const allocated = s.allocatedAmount !== null ? dec(s.allocatedAmount, "allocatedAmount") : equity.mul(dec(s.allocationPct, "allocationPct"));
  if (s.copyStopPct !== null) {
    const floor = dec(s.copyStopPct, "copyStopPct");
    const left = allocated.plus(dec(account.providerPnl, "providerPnl"));
    if (left.lte(allocated.mul(floor))) {
      return skip(
        "copy_stop_loss",
        `Equity from this provider is ${out(left, 2)} of the ${out(allocated, 2)} allocated, at or below the copy stop-loss of ${pct(floor)}: no new entries; exits still run.`,
      );
    }
  }

  // ---- price --------------------------------------------------------------------------------------------------
  const side = orderSide(signal.side);
  const entry = dec(signal.entryPrice, "entryPrice");
  const limitEntry = signal.entryType === "limit" && signal.status === "pending";
  // INVARIANT: B, the basis every size is computed on, is the price the order is expected to fill at.
  const B = limitEntry ? entry : dec(marketFill(side, market.price, market.slippageBps), "expected price");
  // A pending limit entry fills at the provider's own price or not at all: nothing to guard.
  if (!limitEntry) {
    const maxSlip = dec(s.maxSlippagePct, "maxSlippagePct");
    const adverse = (signal.side === "long" ? B.minus(entry) : entry.minus(B)).div(entry);
    if (adverse.gt(maxSlip)) {
      return skip(
        "slippage_exceeded",
        `The expected fill ${out(B)} is ${pct(adverse)} worse than the provider's entry ${out(entry)}, more than the ${pct(maxSlip)} this following allows.`,
      );
    }
  }

  // ---- size ---------------------------------------------------------------------------------------------------
  const scale = dec(s.scale, "scale");
  const stop = signal.stopLoss === null ? null : dec(signal.stopLoss, "stopLoss");
  let quantity: Decimal;
  switch (s.sizingMode) {
    case "fixed":
      quantity = dec(s.fixedAmount, "fixedAmount").mul(scale).div(B);
      break;
    case "allocation":
      quantity = allocated.mul(dec(s.allocationShare, "allocationShare")).mul(scale).div(B);
      break;
    case "mirror":
      // The provider's track record puts ALLOCATION (10%) of its standard account's equity in each signal.
      quantity = equity.mul(ALLOCATION).mul(scale).div(B);
      break;
    case "risk": {
      if (stop === null) return skip("no_stop_for_risk_sizing", "The signal has no stop-loss, and risk sizing needs one to size the position.");
      const wrongSide = signal.side === "long" ? stop.gte(B) : stop.lte(B);
      if (wrongSide) {
        return skip(
          "stop_on_wrong_side",
          `The stop ${out(stop)} is ${signal.side === "long" ? "not below" : "not above"} the expected entry ${out(B)} for a ${signal.side}, so risk sizing cannot size the position.`,
        );
      }
      quantity = equity.mul(dec(s.riskPct, "riskPct")).mul(scale).div(B.minus(stop).abs());
      break;
    }
  }
  const cap = equity.mul(dec(s.maxPositionPct, "maxPositionPct"));
  if (quantity.mul(B).gt(cap)) quantity = cap.div(B);
  const step = dec(market.quantityStep, "quantityStep");
  if (!step.gt(0)) throw new RangeError(`quantityStep must be positive, got ${market.quantityStep}`);
  quantity = D.max(0, quantity.div(step).floor().mul(step));

  const base = signal.symbol.split("/")[0] ?? signal.symbol;
  const minQuantity = dec(market.minQuantity, "minQuantity");
  if (quantity.isZero() || quantity.lt(minQuantity)) {
    return skip(
      "below_minimum",
      `The position would be ${qty(quantity)} ${base} (in steps of ${qty(step)}), below the market's minimum quantity of ${qty(minQuantity)}.`,
    );
  }
  const notional = quantity.mul(B);
  const minNotional = dec(market.minNotional, "minNotional");
  if (notional.lt(minNotional)) {
    return skip("below_minimum", `The position would be worth ${out(notional, 2)}, below the market's minimum order value of ${qty(minNotional)}.`);
  }

  return {
    action: "order",
    leg: "entry",
    side,
    quantity: qty(quantity),
    orderType: limitEntry ? "limit" : "market",
    ...(limitEntry ? { limitPrice: out(entry) } : {}),
    requestedPrice: out(entry),
    expectedPrice: out(B),
    notional: out(notional),
    riskAmount: stop === null ? null : out(quantity.mul(B.minus(stop).abs())),
  };
}

function planExit(leg: ExitLeg, account: PlanAccount, market: PlanMarket): PlanDecision {
  const position = account.position;
  const held = position === null ? null : dec(position.quantity, "position quantity");
  if (position === null || held === null || !held.gt(0)) {
    return skip("no_position", "The follower holds no position in this signal, so there is nothing to close.");
  }
  const step = dec(market.quantityStep, "quantityStep");
  if (!step.gt(0)) throw new RangeError(`quantityStep must be positive, got ${market.quantityStep}`);

  let quantity = held;
  if (leg.share !== "all") {
    const share = dec(leg.share, "share");
    if (!share.gt(0)) throw new RangeError(`an exit's share must be positive, got ${leg.share}`);
    // The provider closes a share of the original size; the follower closes the same share of theirs, to the
    // nearest step. A share smaller than half a step still closes one step: an exit is never dropped.
    const wanted = D.max(step, dec(position.initialQuantity, "initialQuantity").mul(share).div(step).toDecimalPlaces(0, D.ROUND_HALF_UP).mul(step));
    // Never more than is held; and less than one step left over could never be sold on its own, so this leg
    // closes it too. (One test covers both: anything at or above what is held leaves less than a step.)
    quantity = held.minus(wanted).lt(step) ? held : wanted;
  }

  const side = orderSide(position.side, true);
  const expected = marketFill(side, leg.price, market.slippageBps);
  return {
    action: "order",
    leg: leg.leg,
    side,
    quantity: qty(quantity),
    orderType: "market",
    requestedPrice: out(dec(leg.price, "exit price")),
    expectedPrice: expected,
    notional: out(quantity.mul(expected)),
    riskAmount: null,
  };
}
