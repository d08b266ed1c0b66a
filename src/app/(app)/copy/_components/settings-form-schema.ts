/**
 * The follow-settings form's values and their checks, derived from the shared rules (followSettingsSchema).
 *
 * The form holds what a person types: shares as percentages ("10" for 10%), whole numbers as text, the two optional
 * limits as a tick box plus a percentage, symbol lists as comma-separated text. Its schema checks what only the form
 * can (a percentage is a number, a whole number is whole), then builds the settings and applies the shared rules
 * (the same parse the server makes), reporting each issue on the field that shows it. It outputs the settings
 * exactly as the server is sent them (fractions).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { followSettingsSchema, SIZING_MODES, type FollowSettings, type FollowSettingsValues } from "@/lib/validation/copy";

const formValues = z.object({
  allocationPct: z.string(),
  sizingMode: z.enum(SIZING_MODES),
  fixedAmount: z.string(),
  allocationShare: z.string(),
  riskPct: z.string(),
  scale: z.string(),
  maxPositionPct: z.string(),
  maxOpenPositions: z.string(),
  dailyLossOn: z.boolean(),
  // Optional: react-hook-form leaves a disabled input's value out (the limit is off).
  dailyLossPct: z.string().optional(),
  copyStopOn: z.boolean(),
  copyStopPct: z.string().optional(),
  maxSlippagePct: z.string(),
  maxSignalAgeSec: z.string(),
  symbolsAllow: z.string(),
  symbolsDeny: z.string(),
  copyOpenSignals: z.boolean(),
  /** "paper" or one of the follower's exchange connection ids. */
  venue: z.string(),
});

export type SettingsFormValues = z.input<typeof formValues>;
export type SettingsFormField = keyof SettingsFormValues;

/** Percent fields: their label in messages and an example a person would type. */
const PERCENT_FIELDS = {
  allocationPct: ["Allocation", "10"],
  allocationShare: ["Share of the allocation per trade", "20"],
  riskPct: ["Risk per trade", "1"],
  maxPositionPct: ["Max position size", "10"],
  dailyLossPct: ["Daily loss limit", "5"],
  copyStopPct: ["Copy stop-loss", "50"],
  maxSlippagePct: ["Max entry slippage", "0.5"],
} as const satisfies Partial<Record<SettingsFormField, readonly [string, string]>>;

const PERCENT = /^\d{1,3}(\.\d{1,4})?$/;
const WHOLE = /^\d{1,6}$/;

const toFraction = (percent: string) => new Decimal(percent.trim()).dividedBy(100).toString();
const toPercent = (fraction: string) => new Decimal(fraction).times(100).toDecimalPlaces(4).toString();
const symbols = (text: string) =>
  text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The shared rules speak fractions to API callers too ("(as a fraction: 0.1 is 10%)"); the form shows percentages only. */
const forPeople = (message: string) => message.replace(/\s*\(as a fraction:[^)]*\)\s*$/, "");

/** The form's fields, from saved settings or the defaults, and the following's venue. */
export function formValuesOf(s: FollowSettingsValues, venue = "paper"): SettingsFormValues {
  return {
    allocationPct: toPercent(s.allocationPct),
    sizingMode: s.sizingMode,
    fixedAmount: new Decimal(s.fixedAmount).toString(),
    allocationShare: toPercent(s.allocationShare),
    riskPct: toPercent(s.riskPct),
    scale: new Decimal(s.scale).toString(),
    maxPositionPct: toPercent(s.maxPositionPct),
    maxOpenPositions: String(s.maxOpenPositions),
    dailyLossOn: s.dailyLossPct !== null,
    dailyLossPct: toPercent(s.dailyLossPct ?? "0.05"),
    copyStopOn: s.copyStopPct !== null,
    copyStopPct: toPercent(s.copyStopPct ?? "0.5"),
    maxSlippagePct: toPercent(s.maxSlippagePct),
    maxSignalAgeSec: String(s.maxSignalAgeSec),
    symbolsAllow: s.symbolsAllow.join(", "),
    symbolsDeny: s.symbolsDeny.join(", "),
    copyOpenSignals: s.copyOpenSignals,
    venue,
  };
}

export const settingsFormSchema = formValues.transform((v, ctx): FollowSettings => {
  let bad = false;
  const fail = (field: SettingsFormField, message: string) => {
    ctx.addIssue({ code: "custom", path: [field], message });
    bad = true;
  };
  const pct = (field: keyof typeof PERCENT_FIELDS, skip = false): string => {
    if (skip) return "0";
    const [label, example] = PERCENT_FIELDS[field];
    const raw = (v[field] ?? "").trim().replace(/%$/, "").trim();
    if (!PERCENT.test(raw)) {
      fail(field, `${label} must be a percentage like ${example}`);
      return "0";
    }
    return toFraction(raw);
  };
  const whole = (field: "maxOpenPositions" | "maxSignalAgeSec", message: string): number => {
    const raw = v[field].trim();
    if (!WHOLE.test(raw)) {
      fail(field, message);
      return 0;
    }
    return Number(raw);
  };
  const input = {
    allocationPct: pct("allocationPct"),
    sizingMode: v.sizingMode,
    fixedAmount: v.fixedAmount.trim(),
    allocationShare: pct("allocationShare"),
    riskPct: pct("riskPct"),
    scale: v.scale.trim(),
    maxPositionPct: pct("maxPositionPct"),
    maxOpenPositions: whole("maxOpenPositions", "Max open positions must be a whole number"),
    dailyLossPct: v.dailyLossOn ? pct("dailyLossPct") : null,
    copyStopPct: v.copyStopOn ? pct("copyStopPct") : null,
    maxSlippagePct: pct("maxSlippagePct"),
    maxSignalAgeSec: whole("maxSignalAgeSec", "Max signal age must be a whole number of seconds"),
    symbolsAllow: symbols(v.symbolsAllow),
    symbolsDeny: symbols(v.symbolsDeny),
    copyOpenSignals: v.copyOpenSignals,
    venue: v.venue,
  };
  if (bad) return z.NEVER;
  const checked = followSettingsSchema.safeParse(input);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = String(issue.path[0] ?? "allocationPct") as SettingsFormField;
      if (!(field in v)) continue;
      fail(field, forPeople(issue.message));
    }
    return z.NEVER;
  }
  return checked.data;
});

/** The server's field names are the settings' own; the two optional limits show their errors on the percentage. */
export const SERVER_FIELDS: readonly SettingsFormField[] = [
  "allocationPct",
  "sizingMode",
  "fixedAmount",
  "allocationShare",
  "riskPct",
  "scale",
  "maxPositionPct",
  "maxOpenPositions",
  "dailyLossPct",
  "copyStopPct",
  "maxSlippagePct",
  "maxSignalAgeSec",
  "symbolsAllow",
  "symbolsDeny",
  "copyOpenSignals",
  "venue",
];
