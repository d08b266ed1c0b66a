import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, Engine, type Strategy } from "@/lib/engine";
import { intentKey, priceText, recordIntents, signalLevels, utcDayStart } from ".";

const bar = (i: number, p: number) => ({ time: i * 3_600_000, open: p, high: p + 1, low: p - 1, close: p, volume: 1 });

describe("recordIntents", () => {
  it("passes every call to the engine and notes entries, refusals, exits and stop moves per bar", () => {
    const script: Strategy = {
      name: "script",
      onBar(ctx) {
        const i = ctx.bars.index;
        if (i === 1) ctx.buy({ sl: 90, tp: 120 });
        if (i === 2) ctx.sell({ sl: 1 }); // a short's stop below the entry: refused by the engine
        if (i === 3) ctx.setStopLoss(95);
        if (i === 4) ctx.closePosition();
      },
    };
    const rec = recordIntents(script);
    const engine = new Engine(rec.strategy, { ...DEFAULT_CONFIG });
    const seen = [100, 100, 101, 102, 103].map((p, i) => {
      engine.onCandle(bar(i, p));
      return rec.take();
    });
    expect(seen[0]).toEqual({ exit: false, entries: [], refused: [], stop: null });
    expect(seen[1]!.entries).toEqual([{ side: "long", sl: 90, tp: 120 }]);
    expect(seen[2]!.refused).toHaveLength(1);
    expect(seen[3]!.stop).toBe(95);
    expect(seen[4]!.exit).toBe(true);
    expect(engine.finish().trades).toHaveLength(1);
  });
});

describe("signal fields", () => {
  it("keys, prices, levels and days", () => {
    expect(intentKey("srn_1", 1_700_000_000_000, "long")).toBe("srn_1:1700000000000:long");
    expect(priceText(32045.123456789)).toBe("32045.12345679");
    expect(priceText(0.000123)).toBe("0.000123");
    expect(priceText(0)).toBeNull();
    expect(priceText(null)).toBeNull();
    expect(signalLevels([])).toBeNull();
    expect(
      signalLevels(
        [
          { side: "long", sl: 95, tp: 110 },
          { side: "long", sl: 95, tp: 120 },
          { side: "long", sl: 95, tp: null },
        ],
        [0.5, 0.3],
      ),
    ).toEqual({ side: "long", stopLoss: "95", takeProfits: [{ price: "110", share: "0.5" }, { price: "120", share: "0.3" }] });
    expect(utcDayStart(new Date("2026-01-05T23:59:59Z")).toISOString()).toBe("2026-01-05T00:00:00.000Z");
  });
});
