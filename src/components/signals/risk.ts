/**
 * The publish form's risk/reward preview, in decimal arithmetic so it agrees with the server's level checks
 * (lib/validation/signals) to the last digit. Pure: no React, usable anywhere.
 */
import Decimal from "decimal.js";
import { isPrice } from "./format";

export interface TargetPreview {
  /** 1-based, as the form labels it. */
  level: number;
  price: string;
  /** Fraction of the position closed there, when a valid size was given. */
  share: string | null;
  /** Reward in units of risk; null without a usable stop. */
  r: Decimal | null;
  /** Move from entry to target, signed in the trade's favour, as a percentage. */
  movePct: Decimal;
  /** Set when the target is on the losing side of the entry. */
  problem: string | null;
}

export interface RiskPreview {
  /** Distance entry → stop as a percentage of entry; null without a usable stop. */
  riskPct: Decimal | null;
  stopProblem: string | null;
  targets: TargetPreview[];
  /** Σ share × R over targets with a size: the R banked if every target is hit. */
  bankedR: Decimal | null;
  /** Σ share over targets with a size. */
  assignedShare: Decimal;
}

export function previewRisk(input: {
  side: "long" | "short";
  entry: string | null | undefined;
  stop: string | null | undefined;
  targets: { price: string; share: string | null }[];
}): RiskPreview | null {
  if (!input.entry || !isPrice(input.entry)) return null;
  const entry = new Decimal(input.entry.trim());
  const long = input.side === "long";
  // Positive when a price is on the trade's winning side of the entry.
  const favour = (p: Decimal) => (long ? p.minus(entry) : entry.minus(p));

  let riskPct: Decimal | null = null;
  let riskPerUnit: Decimal | null = null;
  let stopProblem: string | null = null;
  if (input.stop && isPrice(input.stop)) {
    const stop = new Decimal(input.stop.trim());
    const loss = favour(stop).neg();
    if (loss.lte(0)) stopProblem = `The stop must be ${long ? "below" : "above"} the entry for a ${input.side}.`;
    else {
      riskPerUnit = loss;
      riskPct = loss.div(entry).times(100);
    }
  }

  let bankedR: Decimal | null = riskPerUnit ? new Decimal(0) : null;
  let assignedShare = new Decimal(0);
  const targets: TargetPreview[] = [];
  input.targets.forEach((t, i) => {
    if (!isPrice(t.price)) return;
    const price = new Decimal(t.price.trim());
    const gain = favour(price);
    const problem = gain.lte(0) ? `Take-profit ${i + 1} must be ${long ? "above" : "below"} the entry for a ${input.side}.` : null;
    const r = riskPerUnit ? gain.div(riskPerUnit) : null;
    if (t.share) {
      assignedShare = assignedShare.plus(t.share);
      if (bankedR && r) bankedR = bankedR.plus(r.times(t.share));
    }
    targets.push({ level: i + 1, price: t.price.trim(), share: t.share, r, movePct: gain.div(entry).times(100), problem });
  });
  if (assignedShare.eq(0)) bankedR = null;
  return { riskPct, stopProblem, targets, bankedR, assignedShare };
}
