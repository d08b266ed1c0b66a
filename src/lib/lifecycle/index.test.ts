import { describe, expect, it } from "vitest";
import { applyCandle, averageExit, legsOf, runCandles, type Candle, type LifecycleState } from "./index";

const H = 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 5, 10);

const c = (i: number, open: string, high: string, low: string, close: string): Candle => ({ openTime: T0 + i * H, open, high, low, close, volume: "1" });

function longOpen(over: Partial<LifecycleState> = {}): LifecycleState {
  return {
    side: "long",
    status: "open",
    entryPrice: "100",
    fillPrice: "100",
    stopLoss: "95",
    takeProfits: [
      { price: "110", share: "0.5" },
      { price: "105", share: "0.3" },
      { price: "120", share: "0.2" },
    ],
    targetsHit: [],
    remaining: "1",
    publishedAt: new Date(T0),
    filledAt: new Date(T0),
    expiresAt: null,
    ...over,
  };
}

describe("lifecycle", () => {
  it("ignores candles that opened before publication", () => {
    const s = longOpen({ publishedAt: new Date(T0 + 30 * 60 * 1000) });
    const r = applyCandle(s, c(0, "100", "130", "90", "100"), new Date(T0 + H));
    expect(r.events).toEqual([]);
    expect(r.state.status).toBe("open");
  });

  it("counts the stop first when stop and target fall in the same candle", () => {
    const r = applyCandle(longOpen(), c(0, "100", "121", "94", "100"), new Date(T0 + H));
    expect(r.events).toEqual([{ kind: "closed", at: new Date(T0 + H), price: "95", share: "1", reason: "stop" }]);
    expect(r.state.status).toBe("closed");
  });

  it("exits at the open when the candle gaps through the stop", () => {
    const r = applyCandle(longOpen(), c(0, "93", "96", "90", "91"), new Date(T0 + H));
    expect(r.events[0]).toMatchObject({ kind: "closed", price: "93", reason: "stop" });
  });

  it("works targets nearest first, partial closes per level, runner closed by the last level", () => {
    const s = longOpen();
    const r1 = applyCandle(s, c(0, "100", "106", "99", "104"), new Date(T0 + H));
    expect(r1.events).toEqual([{ kind: "partial_close", at: new Date(T0 + H), price: "105", share: "0.3", reason: "target", level: 2 }]);
    expect(r1.state.remaining).toBe("0.7");
    const r2 = applyCandle(r1.state, c(1, "104", "115", "103", "112"), new Date(T0 + 2 * H));
    expect(r2.events).toEqual([{ kind: "partial_close", at: new Date(T0 + 2 * H), price: "110", share: "0.5", reason: "target", level: 1 }]);
    expect(r2.state.remaining).toBe("0.2");
    const r3 = applyCandle(r2.state, c(2, "112", "125", "111", "121"), new Date(T0 + 3 * H));
    expect(r3.events).toEqual([{ kind: "closed", at: new Date(T0 + 3 * H), price: "120", share: "0.2", reason: "target" }]);
    expect(r3.state.status).toBe("closed");
    const legs = legsOf([...r1.events, ...r2.events, ...r3.events]);
    expect(legs.map((l) => [l.price, l.share])).toEqual([["105", "0.3"], ["110", "0.5"], ["120", "0.2"]]);
    expect(averageExit(legs)).toBe("110.5");
  });

  it("closes the remaining size at the stop after partial closes", () => {
    const r = runCandles(longOpen(), [c(0, "100", "106", "99", "104"), c(1, "104", "104", "94", "95")], H);
    expect(r.events.map((e) => e.kind)).toEqual(["partial_close", "closed"]);
    expect(r.events[1]).toMatchObject({ price: "95", share: "0.7", reason: "stop" });
  });

  it("mirrors everything for shorts", () => {
    const s: LifecycleState = { ...longOpen(), side: "short", stopLoss: "105", takeProfits: [{ price: "90", share: "1" }] };
    expect(applyCandle(s, c(0, "100", "106", "89", "100"), new Date(T0 + H)).events[0]).toMatchObject({ kind: "closed", price: "105", reason: "stop" });
    expect(applyCandle(s, c(0, "100", "104", "89", "95"), new Date(T0 + H)).events[0]).toMatchObject({ kind: "closed", price: "90", reason: "target" });
    expect(applyCandle(s, c(0, "107", "108", "100", "101"), new Date(T0 + H)).events[0]).toMatchObject({ price: "107", reason: "stop" });
  });

  it("fills pending limits at the limit, or at the open on a gap; only the stop can act in the fill candle", () => {
    const pending = longOpen({ status: "pending", fillPrice: null, filledAt: null, entryPrice: "98" });
    const a = applyCandle(pending, c(0, "100", "111", "97", "108"), new Date(T0 + H));
    expect(a.events).toEqual([{ kind: "filled", at: new Date(T0 + H), price: "98" }]);
    expect(a.state).toMatchObject({ status: "open", fillPrice: "98", remaining: "1" });
    const gap = applyCandle(pending, c(0, "96", "99", "95.5", "97"), new Date(T0 + H));
    expect(gap.events[0]).toMatchObject({ kind: "filled", price: "96" });
    const stopSame = applyCandle(pending, c(0, "99", "100", "94", "96"), new Date(T0 + H));
    expect(stopSame.events.map((e) => e.kind)).toEqual(["filled", "closed"]);
    expect(stopSame.state.status).toBe("closed");
    const untouched = applyCandle(pending, c(0, "100", "101", "98.5", "100"), new Date(T0 + H));
    expect(untouched.events).toEqual([]);
  });

  it("expires unfilled limits", () => {
    const pending = longOpen({ status: "pending", fillPrice: null, filledAt: null, entryPrice: "90", expiresAt: new Date(T0 + 2 * H) });
    const r = runCandles(pending, [c(0, "100", "101", "99", "100"), c(1, "100", "101", "99", "100"), c(2, "100", "101", "80", "100")], H);
    expect(r.events).toEqual([{ kind: "expired", at: new Date(T0 + 2 * H) }]);
    expect(r.state.status).toBe("expired");
  });

  it("keeps a runner open when target shares sum to less than one, and no stop means only targets act", () => {
    const s = longOpen({ stopLoss: null, takeProfits: [{ price: "110", share: "0.6" }] });
    const r = runCandles(s, [c(0, "100", "111", "50", "105"), c(1, "105", "200", "1", "150")], H);
    expect(r.events).toHaveLength(1);
    expect(r.state).toMatchObject({ status: "open", remaining: "0.4", targetsHit: [0] });
  });
});
