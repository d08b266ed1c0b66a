import { describe, expect, it } from "vitest";
import { FOLLOW_SETTINGS_DEFAULTS } from "@/lib/validation/copy";
import { formValuesOf, settingsFormSchema } from "./settings-form-schema";

const base = formValuesOf(FOLLOW_SETTINGS_DEFAULTS);
const issues = (r: ReturnType<typeof settingsFormSchema.safeParse>) =>
  r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [String(i.path[0]), i.message]));

describe("the follow-settings form", () => {
  it("shows the defaults as percentages and sends them back as the same fractions", () => {
    expect(base).toMatchObject({ allocationPct: "10", allocationShare: "20", riskPct: "1", maxPositionPct: "10", dailyLossOn: true, dailyLossPct: "5", copyStopOn: false, maxSlippagePct: "0.5" });
    const r = settingsFormSchema.safeParse(base);
    expect(r.success && r.data).toEqual({ ...FOLLOW_SETTINGS_DEFAULTS, dailyLossPct: "0.05", copyStopPct: null, venue: "paper" });
  });

  it("sends the venue chosen (paper or a connection id), and refuses one that is not a venue id", () => {
    const withConnection = settingsFormSchema.safeParse(formValuesOf(FOLLOW_SETTINGS_DEFAULTS, "exc_abc123"));
    expect(withConnection.success && withConnection.data.venue).toBe("exc_abc123");
    expect(Object.keys(issues(settingsFormSchema.safeParse({ ...base, venue: "binance" })))).toEqual(["venue"]);
  });

  it("turns percentages into fractions, optional limits into null when off, and symbol text into a list", () => {
    const r = settingsFormSchema.safeParse({ ...base, allocationPct: "12.5%", dailyLossOn: false, copyStopOn: true, copyStopPct: "40", symbolsAllow: "btc/usdt, ETH/USDT;  SOL/USDT", maxOpenPositions: "7" });
    expect(r.success).toBe(true);
    if (!r.success) return;
    expect(r.data).toMatchObject({ allocationPct: "0.125", dailyLossPct: null, copyStopPct: "0.4", symbolsAllow: ["btc/usdt", "ETH/USDT", "SOL/USDT"], maxOpenPositions: 7 });
  });

  it("reports each problem on its field in percentages, without the API's fraction note", () => {
    expect(issues(settingsFormSchema.safeParse({ ...base, allocationPct: "150" }))).toEqual({ allocationPct: "Allocation must be between 1% and 100%" });
    expect(issues(settingsFormSchema.safeParse({ ...base, riskPct: "one" }))).toEqual({ riskPct: "Risk per trade must be a percentage like 1" });
    expect(issues(settingsFormSchema.safeParse({ ...base, maxOpenPositions: "2.5" }))).toEqual({ maxOpenPositions: "Max open positions must be a whole number" });
    expect(issues(settingsFormSchema.safeParse({ ...base, copyStopOn: true, copyStopPct: "99" }))).toEqual({ copyStopPct: "Copy stop-loss must be between 5% and 95%" });
  });

  it("ignores a limit's text while the limit is off (react-hook-form leaves a disabled input out)", () => {
    const r = settingsFormSchema.safeParse({ ...base, dailyLossOn: false, dailyLossPct: undefined });
    expect(r.success && r.data.dailyLossPct).toBe(null);
  });
});
