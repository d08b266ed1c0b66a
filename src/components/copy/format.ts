/**
 * Words and figures of copy trading as the pages print them: paper-account money from decimal strings (through
 * decimal.js, never a float), why a following is paused, what an order's leg, status and reason mean. Pure, for
 * server pages and client components alike.
 */
import type Decimal from "decimal.js";
import { parseDecimal } from "@/lib/format/decimal";
import type { Figure } from "@/components/track-record/format";

const USD_LIKE = new Set(["USD", "USDT", "USDC", "BUSD", "FDUSD"]);

function group(fixed: string): string {
  const [int = "", frac] = fixed.split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

/** "10234.5" → "$10,234.50" (USD-like quotes), "12.5" EUR → "12.50 EUR"; "—" for nothing. */
export function money(v: string | null | undefined, currency = "USDT"): string {
  const d = parseDecimal(v);
  if (!d) return "—";
  const abs = group(d.abs().toDecimalPlaces(2).toFixed(2));
  const sign = d.toDecimalPlaces(2).isNegative() ? "−" : "";
  return USD_LIKE.has(currency) ? `${sign}$${abs}` : `${sign}${abs} ${currency}`;
}

/** A signed amount with its tone: "+$12.30" (gain), "−$4.10" (loss), "$0.00" (flat). */
export function signedMoney(v: string | null | undefined, currency = "USDT"): Figure {
  const d = parseDecimal(v);
  if (!d) return { text: "—", tone: "flat" };
  const r = d.toDecimalPlaces(2);
  if (r.isZero()) return { text: money("0", currency), tone: "flat" };
  return { text: `${r.isNegative() ? "" : "+"}${money(r.toFixed(2), currency)}`, tone: r.isNegative() ? "loss" : "gain" };
}

/** A quantity or price exactly as recorded, grouped ("0.0123", "64,210.5"). */
export function exact(v: string | null | undefined): string {
  const d = parseDecimal(v);
  return d ? group(d.toFixed()) : "—";
}

/** Digits before the point of |d| (0 for a price under 1). */
function intDigits(d: Decimal): number {
  const abs = d.abs();
  return abs.lt(1) ? 0 : abs.trunc().toFixed().length;
}

/** Decimals that keep `sig` significant digits of |d|: 20242.57 → 0 at 5, 0.071234 → 6 at 5. */
function decimalsForSignificant(d: Decimal, sig: number): number {
  const abs = d.abs();
  if (abs.isZero()) return 0;
  if (abs.gte(1)) return Math.max(0, sig - intDigits(d));
  // 0.0712 → first significant digit is the 2nd decimal
  const leadingZeros = -Math.floor(Math.log10(abs.toNumber())) - 1;
  return leadingZeros + sig;
}

/**
 * A price as a trader reads it: at least 2 decimals, about 5 significant digits for small prices
 * ("20242.5786459" → "20,242.58", "970.04588186" → "970.05", "0.0712345" → "0.071235"), at most 8 decimals, and
 * never padded past the decimals actually recorded beyond the 2 minimum. The exact value goes in a title (`exact`).
 */
export function displayPrice(v: string | null | undefined): string {
  const d = parseDecimal(v);
  if (!d) return "—";
  const dp = Math.min(8, Math.max(2, Math.min(decimalsForSignificant(d, 5), d.decimalPlaces())));
  return group(d.toDecimalPlaces(dp).toFixed(dp));
}

/**
 * A quantity trimmed to about 6 significant digits (at most 8 decimals), trailing zeros dropped:
 * "0.049395123" → "0.0493951", "1234.56789" → "1,234.57", "12" → "12".
 */
export function displayQuantity(v: string | null | undefined): string {
  const d = parseDecimal(v);
  if (!d) return "—";
  const dp = Math.min(8, decimalsForSignificant(d, 6));
  return group(d.toDecimalPlaces(dp).toFixed());
}

/** Basis points ("2.5") as "2.5 bps". */
export function bps(v: string | null | undefined): string {
  const d = parseDecimal(v);
  return d ? `${d.toDecimalPlaces(1).toString()} bps` : "—";
}

/** Milliseconds as "850 ms" or "1.2 s". */
export function latency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A stored fraction ("0.1") as the percentage a form shows ("10"). */
export function fractionToPercentText(v: string | null | undefined): string {
  const d = parseDecimal(v);
  return d ? d.times(100).toDecimalPlaces(4).toString() : "";
}

export interface FollowingStateInput {
  enabled: boolean;
  pausedReason: string | null;
  killSwitch: "platform" | "provider" | null;
  entitled: boolean;
  access: "subscription" | "owner" | "free" | "none";
}

export interface FollowingState {
  /** The follower's own state: "copying" | "paused" | "stopped" | "off" */
  kind: "copying" | "paused" | "stopped" | "off";
  label: string;
  /** The sentence saying why, or null when there is nothing to explain. */
  reason: string | null;
  tone: "green" | "amber" | "red" | "slate";
  /**
   * An admin kill switch on top of the follower's own state, or null. It is what stops entries while it is on, but
   * the follower's own choice (paused, stop-loss hit…) is shown first: it still holds once the switch is off.
   */
  platform: { label: string; reason: string } | null;
}

const PAUSED_BY: Record<string, string> = {
  paused: "Paused by you. Open copies still follow their signals' exits.",
  copy_stop: "Paused by your copy stop-loss: equity from this provider fell to your limit, so its copies were closed.",
  kill_switch: "Stopped by your kill switch: copies from this provider were closed.",
  provider_stopped: "Stopped by the platform: copying this provider is suspended.",
  daily_loss: "Paused by your daily loss limit until 00:00 UTC.",
};

const PLATFORM_STOP = {
  platform: { label: "Stopped by the platform", reason: "Stopped by the platform: no new copies anywhere right now. Exits still run." },
  provider: { label: "Stopped by the platform", reason: "Stopped by the platform for this provider. Exits still run." },
} as const;

/** Where a following stands, in words: the follower's own state, then any admin switch that holds entries on top of it. */
export function followingState(f: FollowingStateInput): FollowingState {
  const platform = f.killSwitch ? PLATFORM_STOP[f.killSwitch] : null;
  if (f.enabled) {
    if (!f.entitled && f.access === "none") {
      return { kind: "paused", label: "Exits only", reason: "Your subscription has lapsed: no new copies; open copies still get their exits.", tone: "amber", platform };
    }
    return platform
      ? { kind: "copying", label: "Copy on", reason: "Your copying is on: new signals are copied again once the platform lifts its stop.", tone: "slate", platform }
      : { kind: "copying", label: "Copying", reason: null, tone: "green", platform };
  }
  if (f.pausedReason) {
    return {
      kind: f.pausedReason === "paused" ? "paused" : "stopped",
      label: f.pausedReason === "paused" ? "Paused" : "Stopped",
      reason: PAUSED_BY[f.pausedReason] ?? "Paused.",
      tone: "amber",
      platform,
    };
  }
  return { kind: "off", label: "Not copying", reason: null, tone: "slate", platform };
}

export const LEG_LABEL: Record<string, string> = { entry: "Entry", tp: "Take-profit", stop: "Stop-loss", close: "Close", manual: "Manual close" };
export const ORDER_STATUS_LABEL: Record<string, string> = {
  planned: "Planned",
  skipped: "Skipped",
  submitted: "Submitted",
  filled: "Filled",
  rejected: "Rejected",
  cancelled: "Cancelled",
};
export const ORDER_STATUS_TONE: Record<string, "slate" | "brand" | "amber" | "red" | "green"> = {
  planned: "slate",
  skipped: "amber",
  submitted: "brand",
  filled: "green",
  rejected: "red",
  cancelled: "slate",
};

const CLOSE_REASON: Record<string, string> = {
  manual: "Closed by you",
  kill_switch: "Closed by your kill switch",
  copy_stop: "Closed by your copy stop-loss",
  reset: "Closed by the paper account reset",
};

/** An order's reason as a sentence: the engine stores "code: sentence" for skips, or a close's code. */
export function orderReason(reason: string | null): { text: string; code: string | null } | null {
  if (!reason) return null;
  if (CLOSE_REASON[reason]) return { text: CLOSE_REASON[reason], code: reason };
  const i = reason.indexOf(": ");
  if (i > 0 && /^[a-z_]+$/.test(reason.slice(0, i))) return { text: reason.slice(i + 2), code: reason.slice(0, i) };
  return { text: reason, code: null };
}
