import { describe, expect, it } from "vitest";
import type { Candle } from "@/lib/lifecycle";
import { aggregate, emaTrend, roundTo, swingLimit } from "./index";

const H = 3_600_000;
function candles(closes: number[]): Candle[] {
  return closes.map((c, i) => ({ openTime: i * H, open: String(closes[i - 1] ?? c), high: String(c + 1), low: String(c - 1), close: String(c), volume: "1" }));
}

describe("levels", () => {
  it("rounds levels to the instrument precision as decimal strings", () => {
    expect(roundTo(32045.14499, 2)).toBe("32045.14");
    expect(roundTo(1.0725, 5)).toBe("1.0725");
    expect(roundTo(100, 2)).toBe("100");
  });
});

describe("strategies", () => {
  const wave = Array.from({ length: 400 }, (_, i) => 100 + 10 * Math.sin(i / 15) + i * 0.02);

  it("are deterministic and put stops on the losing side and targets on the winning side", () => {
    const run = () => emaTrend({ fast: 5, slow: 20, atrN: 14, atrMult: 1.5, cooldown: 10 })({ candles: candles(wave), decimals: 2 });
    const a = run();
    expect(a.length).toBeGreaterThan(3);
    expect(run()).toEqual(a);
    for (const s of a) {
      const e = Number(s.entryPrice);
      expect(s.takeProfits).toHaveLength(2); // emaTrend's two targets (2R and 3R): the loops below check both
      if (s.side === "long") {
        expect(Number(s.stopLoss)).toBeLessThan(e);
        for (const tp of s.takeProfits) expect(Number(tp.price)).toBeGreaterThan(e);
      } else {
        expect(Number(s.stopLoss)).toBeGreaterThan(e);
        for (const tp of s.takeProfits) expect(Number(tp.price)).toBeLessThan(e);
      }
    }
  });

  it("limit strategies place the entry away from the close, on the right side", () => {
    const props = swingLimit({ lookback: 10, trendN: 20, cooldown: 10, expiresInHours: 48 })({ candles: candles(wave), decimals: 2 });
    expect(props.length).toBeGreaterThan(0);
    for (const p of props) {
      const close = Number(wave[p.index]!.toFixed(2));
      expect(p.entryType).toBe("limit");
      if (p.side === "long") expect(Number(p.entryPrice)).toBeLessThan(close);
      else expect(Number(p.entryPrice)).toBeGreaterThan(close);
    }
  });

  it("aggregates candles and skips groups across a gap", () => {
    const cs = candles([1, 2, 3, 4, 5, 6, 7, 8]);
    const gapped = [...cs.slice(0, 4), ...cs.slice(5).map((c) => ({ ...c }))];
    expect(aggregate(cs, 4, H).map((c) => [c.open, c.high, c.low, c.close])).toEqual([["1", "5", "0", "4"], ["4", "9", "4", "8"]]);
    expect(aggregate(gapped, 4, H)).toHaveLength(1);
  });
});
