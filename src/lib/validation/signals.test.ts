/**
 * The signal input schema with hostile numbers (issue 9, defect 3): every malformed price or share is a refusal
 * with a message for people. Parsing never throws (zod runs a refinement even after an earlier check failed, so
 * one that builds a Decimal from an unchecked value throws "[DecimalError] Invalid argument" instead).
 */
import { describe, expect, it } from "vitest";
import { publishSignalSchema } from "./signals";

const base = { symbol: "BTC/USDT", side: "long" } as const;
const NOT_NUMBERS = ["abc", "", " ", "1e5", "-1", "+1", "0x10", "1_000", "Infinity", "NaN", "١٢٣", "1.2.3", "12,5", "9".repeat(40), "\u0000", "1\u00002"];

describe("publishSignalSchema with values that are not prices", () => {
  it.each(NOT_NUMBERS)("refuses stopLoss %j with a message, without throwing", (value) => {
    const r = publishSignalSchema.safeParse({ ...base, stopLoss: value });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages.join(" ")).toMatch(/Stop-loss must be/);
    expect(messages.join(" ")).not.toMatch(/DecimalError/);
  });

  it.each(NOT_NUMBERS)("refuses a take-profit price and share %j with a message, without throwing", (value) => {
    const r = publishSignalSchema.safeParse({ ...base, takeProfits: [{ price: value, share: value }] });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message).join(" ");
    expect(messages).toMatch(/Take-profit price must be/);
    expect(messages).toMatch(/take-profit share/i);
    expect(messages).not.toMatch(/DecimalError/);
  });

  it("refuses numbers that are not finite or not positive", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e300, 5e-324]) {
      const r = publishSignalSchema.safeParse({ ...base, entryType: "limit", entryPrice: value });
      expect(r.success, String(value)).toBe(false);
      expect(r.error!.issues.map((i) => i.message).join(" "), String(value)).toMatch(/Entry price must be/);
    }
  });

  it("still accepts and normalises good prices and shares", () => {
    const r = publishSignalSchema.parse({ ...base, stopLoss: " 31000.50 ", takeProfits: [{ price: 34000, share: "0.50" }] });
    expect(r.stopLoss).toBe("31000.5");
    expect(r.takeProfits).toEqual([{ price: "34000", share: "0.5" }]);
  });
});
