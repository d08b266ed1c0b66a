/**
 * Validation of closed signals and their per-signal figures: return r (after fees, weighted over legs) and the
 * R multiple. Every other figure in this module is built on {@link parseSignal}.
 */
import type Decimal from "decimal.js";
import { FEE } from "./constants";
import { D, parseDecimal, parseTime, toOutput } from "./decimal";
import type { ClosedSignal } from "./types";

const FEE_D = new D(FEE);

/** A validated signal with its decimals parsed and its figures computed once, unrounded. */
export interface ParsedSignal {
  id: string;
  /** Position in the caller's array; breaks ties between equal ids so ordering never depends on the sort. */
  index: number;
  openedAt: number;
  closedAt: number;
  legs: { share: Decimal; r: Decimal; at: number }[];
  r: Decimal;
  rMultiple: Decimal | null;
}

/**
 * Return of one leg after a FEE on each side's notional (entry notional E, exit notional X per unit):
 * long r = X/E − 1 − FEE − FEE·X/E; short r = (E − X)/E − FEE − FEE·X/E.
 */
function legReturn(side: "long" | "short", entry: Decimal, exit: Decimal): Decimal {
  const exitOverEntry = exit.div(entry);
  const gross = side === "long" ? exitOverEntry.minus(1) : entry.minus(exit).div(entry);
  return gross.minus(FEE_D).minus(FEE_D.times(exitOverEntry));
}

export function parseSignal(signal: ClosedSignal, index = 0): ParsedSignal {
  const what = `signal ${JSON.stringify(signal.id)}`;
  if (signal.side !== "long" && signal.side !== "short") {
    throw new RangeError(`${what}: side must be "long" or "short", got ${JSON.stringify(signal.side)}`);
  }
  const entry = parseDecimal(signal.entryPrice, `${what}: entryPrice`);
  if (!entry.isPositive() || entry.isZero()) throw new RangeError(`${what}: entryPrice must be positive`);
  const stop = signal.initialStop === null ? null : parseDecimal(signal.initialStop, `${what}: initialStop`);
  if (stop !== null && (!stop.isPositive() || stop.isZero())) throw new RangeError(`${what}: initialStop must be positive`);
  const openedAt = parseTime(signal.openedAt, `${what}: openedAt`);
  const closedAt = parseTime(signal.closedAt, `${what}: closedAt`);
  if (closedAt < openedAt) throw new RangeError(`${what}: closedAt is before openedAt`);
  if (!Array.isArray(signal.legs) || signal.legs.length === 0) throw new RangeError(`${what}: a closed signal needs at least one leg`);

  let shareSum = new D(0);
  let r = new D(0);
  const legs = signal.legs.map((leg, i) => {
    const legWhat = `${what}: leg ${i}`;
    const price = parseDecimal(leg.price, `${legWhat} price`);
    if (!price.isPositive() || price.isZero()) throw new RangeError(`${legWhat} price must be positive`);
    const share = parseDecimal(leg.share, `${legWhat} share`);
    if (!share.isPositive() || share.isZero()) throw new RangeError(`${legWhat} share must be positive`);
    const at = parseTime(leg.at, `${legWhat} at`);
    if (at < openedAt || at > closedAt) throw new RangeError(`${legWhat} at must lie between openedAt and closedAt`);
    const legR = legReturn(signal.side, entry, price);
    shareSum = shareSum.plus(share);
    r = r.plus(share.times(legR));
    return { share, r: legR, at };
  });
  // INVARIANT: legs split the whole position exactly once; 0.1 + 0.2 + 0.7 is exactly 1 in decimal.
  if (!shareSum.eq(1)) throw new RangeError(`${what}: leg shares must sum to exactly 1, got ${shareSum.toString()}`);

  // R = r / (|E − stop| / E), evaluated as r·E / |E − stop| (one division instead of two).
  const stopDistance = stop === null ? null : entry.minus(stop).abs();
  const rMultiple = stopDistance === null || stopDistance.isZero() ? null : r.times(entry).div(stopDistance);

  return { id: signal.id, index, openedAt, closedAt, legs, r, rMultiple };
}

export function parseSignals(signals: readonly ClosedSignal[]): ParsedSignal[] {
  return signals.map((signal, index) => parseSignal(signal, index));
}

/** Return r of a closed signal after fees, Σ share_i · r_i, as a decimal string (8 places). */
export function signalReturn(signal: ClosedSignal): string {
  return toOutput(parseSignal(signal).r);
}

/** R multiple r / (|E − initialStop| / E) as a decimal string (8 places); null without a usable initial stop. */
export function rMultiple(signal: ClosedSignal): string | null {
  const { rMultiple: value } = parseSignal(signal);
  return value === null ? null : toOutput(value);
}
