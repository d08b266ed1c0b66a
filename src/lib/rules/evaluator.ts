/**
 * Compiles a validated rules document into an engine Strategy: no `eval`, no Function constructor, just data
 * interpreted by this module. Each distinct indicator (id + parameters) is built once and updated once per closed
 * candle; conditions read its outputs (and their last few values, for offsets and crosses).
 *
 * Semantics, decided at each closed bar i (the engine fills market orders at bar i + 1's open):
 * - An operand without a value (an indicator warming up, an offset before the first bar) makes its condition false,
 *   and so a group: `all` needs every item true, `any` one. `==` and `!=` compare the doubles exactly.
 * - `crosses_above`: left[i−1] < right[i−1] and left[i] > right[i], strict on both bars (backtesting.lib.crossover,
 *   what the coded SmaCross does); `crosses_below` the mirror. With an offset, both bars shift back by it.
 * - Rules are checked in document order and every rule whose condition holds acts, except that the first entry
 *   rule that holds claims the bar (even when it places nothing, being already on its side): a long and a short
 *   signal on one bar is a contradiction, not two orders, and the document's order says which counts.
 * - `enter_long`: nothing when already long; when short, closes the position first (at the next open, before the
 *   entry fills, as SmaCross does with `position.close(); buy()`); then buys. `enter_short` is the mirror.
 * - `exit`: closes every open trade at the next open and cancels pending entries.
 * - `move_stop`: sets the open trades' stop-loss to the level (percent or ATR multiple from this bar's close, or
 *   the entry price for "breakeven") when that tightens it and lies on the right side of the close; a stop only
 *   ever moves in the trade's favour.
 * - risk.stop becomes the entry's stop-loss, measured from this bar's close (the last price the strategy knows);
 *   an ATR stop waits for the ATR to warm up (no entry before). risk.size maps to the engine's SizeSpec
 *   (fraction → fraction of available margin; quantity; riskPercent → risk = percent / 100); none uses the engine's
 *   default size, so a rule behaves as a coded strategy calling `buy()`.
 * - risk.targets: the engine gives each trade one take-profit, so an entry with targets is placed as one order per
 *   target (its share of the size, its own take-profit) plus one for the remainder (no take-profit). A fraction
 *   size is split so each leg gets its share of the margin available before the first leg (legs fill in order, each
 *   sized on what the previous left). This needs an engine configured with `exclusiveOrders: false` (with it on,
 *   each leg would cancel its siblings); the rules' own entries close the opposite side, so it is not needed.
 */
import { createIndicator, type CandleIndicator } from "@/lib/indicators";
import type { BarView, OrderOptions, SizeSpec, Strategy, StrategyContext } from "@/lib/engine";
import { DEFAULT_ATR_PERIOD, type Action, type Operand, type RuleNode, type RulesDocument, type StopSpec } from "./schema";

/** Reads an operand `back` bars before its own offset; null when it has no value there. */
type Reader = (back: number) => number | null;
type Test = () => boolean;

/** An indicator and the last values of the outputs rules read. */
class Tracked {
  readonly ind: CandleIndicator;
  /** A ring of past values per output key that rules read; NaN where the indicator had none. */
  private readonly history = new Map<string, Float64Array>();
  private count = 0;

  constructor(ind: CandleIndicator) {
    this.ind = ind;
  }

  /** Keep `depth` values of `output` (called while compiling, before the first update). */
  want(output: string, depth: number): void {
    const ring = this.history.get(output);
    if (!ring || ring.length < depth) this.history.set(output, new Float64Array(depth).fill(NaN));
  }

  update(bars: BarView): void {
    const i = bars.index;
    const v = this.ind.update({ time: bars.time(i), open: bars.open(i), high: bars.high(i), low: bars.low(i), close: bars.close(i), volume: bars.volume(i) });
    for (const [key, ring] of this.history) ring[this.count % ring.length] = v === null ? NaN : v[key]!;
    this.count++;
  }

  /** The output `back` updates ago (0: the latest); null before the indicator had a value. */
  read(output: string, back: number): number | null {
    const ring = this.history.get(output)!;
    if (back >= this.count || back >= ring.length) return null;
    const v = ring[(this.count - 1 - back) % ring.length]!;
    return Number.isNaN(v) ? null : v;
  }
}

export class RulesStrategy implements Strategy {
  readonly name: string;
  readonly warmupBars: number;
  private readonly indicators: Tracked[] = [];
  private readonly byKey = new Map<string, Tracked>();
  private readonly rules: { test: Test; action: Action }[];
  private readonly doc: RulesDocument;
  private readonly atr: Tracked | null;
  private ctx: StrategyContext | null = null;
  private warmup = 0;

  constructor(doc: RulesDocument) {
    this.doc = doc;
    this.name = doc.name ?? "Rules";
    const needsAtr =
      (doc.risk?.stop !== undefined && "atr" in doc.risk.stop) ||
      (doc.risk?.targets ?? []).some((t) => "atr" in t) ||
      doc.rules.some((r) => r.then.type === "move_stop" && r.then.stop !== "breakeven" && "atr" in r.then.stop);
    this.atr = needsAtr ? this.track("atr", { period: doc.risk?.atrPeriod ?? DEFAULT_ATR_PERIOD }, "value", 0, 0) : null;
    this.rules = doc.rules.map((r) => ({ test: this.compile(r.when), action: r.then }));
    this.warmupBars = this.warmup;
  }

  /** The one instance of an indicator (id + parameters), keeping `offset + extra + 1` values of `output`. */
  private track(id: string, params: Record<string, number | string>, output: string, offset: number, extra: number): Tracked {
    const key = `${id}:${JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    let t = this.byKey.get(key);
    if (!t) {
      t = new Tracked(createIndicator(id, params));
      this.byKey.set(key, t);
      this.indicators.push(t);
    }
    t.want(output, offset + extra + 1);
    // As backtesting.py counts it (and the coded SmaCross): the first bar at which every operand has a value.
    this.warmup = Math.max(this.warmup, t.ind.warmup - 1 + offset);
    return t;
  }

  /** An operand as a reader; `extra` is how many bars before its offset a condition may ask (1 for crosses). */
  private operand(o: Operand, extra: number): Reader {
    if ("const" in o) {
      const c = o.const;
      return () => c;
    }
    const offset = o.offset ?? 0;
    if ("price" in o) {
      const field = o.price;
      this.warmup = Math.max(this.warmup, offset);
      return (back) => {
        const bars = this.ctx!.bars;
        const i = bars.index - offset - back;
        return i < 0 ? null : bars[field](i);
      };
    }
    const spec = createIndicator(o.indicator, o.params ?? {}).spec;
    const output = o.output ?? spec.outputs[0]!.key;
    const t = this.track(o.indicator, o.params ?? {}, output, offset, extra);
    return (back) => t.read(output, offset + back);
  }

  private compile(n: RuleNode): Test {
    if ("all" in n) {
      const items = n.all.map((c) => this.compile(c));
      return () => items.every((t) => t());
    }
    if ("any" in n) {
      const items = n.any.map((c) => this.compile(c));
      return () => items.some((t) => t());
    }
    const cross = n.op === "crosses_above" || n.op === "crosses_below";
    const left = this.operand(n.left, cross ? 1 : 0);
    const right = this.operand(n.right, cross ? 1 : 0);
    const cmp = (a: (x: number, y: number) => boolean): Test => () => {
      const l = left(0);
      const r = right(0);
      return l !== null && r !== null && a(l, r);
    };
    switch (n.op) {
      case "==":
        return cmp((a, b) => a === b);
      case "!=":
        return cmp((a, b) => a !== b);
      case "<":
        return cmp((a, b) => a < b);
      case ">":
        return cmp((a, b) => a > b);
      case "<=":
        return cmp((a, b) => a <= b);
      case ">=":
        return cmp((a, b) => a >= b);
      case "crosses_above":
      case "crosses_below": {
        const up = n.op === "crosses_above";
        return () => {
          const l0 = left(1);
          const r0 = right(1);
          const l1 = left(0);
          const r1 = right(0);
          if (l0 === null || r0 === null || l1 === null || r1 === null) return false;
          return up ? l0 < r0 && l1 > r1 : l0 > r0 && l1 < r1;
        };
      }
    }
  }

  onBar(ctx: StrategyContext): void {
    this.ctx = ctx;
    for (const t of this.indicators) t.update(ctx.bars);
    let entered = false;
    for (const r of this.rules) {
      if (!r.test()) continue;
      const a = r.action;
      if (a.type === "enter_long" || a.type === "enter_short") {
        // The first entry rule that holds claims the bar, even when it places nothing (already on that side).
        if (entered) continue;
        entered = true;
        this.enter(ctx, a.type === "enter_long" ? 1 : -1);
      } else if (a.type === "exit") {
        // Cancel first: cancelOrders also cancels close orders, so the other way round would undo the exit.
        ctx.cancelOrders();
        if (ctx.positionSize !== 0) ctx.closePosition();
      } else {
        this.moveStop(ctx, a.stop);
      }
    }
  }

  /** Distance from the close to a stop, or null when it cannot be known yet (ATR warming up). */
  private stopDistance(close: number, stop: StopSpec): number | null {
    if ("percent" in stop) return (close * stop.percent) / 100;
    const atr = this.atr!.read("value", 0);
    return atr === null ? null : atr * stop.atr;
  }

  private enter(ctx: StrategyContext, dir: 1 | -1): boolean {
    const pos = ctx.positionSize;
    if (pos * dir > 0) return false; // already on this side: no pyramiding
    const risk = this.doc.risk;
    const close = ctx.bars.close(ctx.bars.index);
    let sl: number | undefined;
    let dist = 0;
    if (risk?.stop) {
      const d = this.stopDistance(close, risk.stop);
      if (d === null) return false;
      dist = d;
      sl = close - dir * d;
      if (!(sl > 0)) return false; // a stop at or below zero is no stop: the engine would refuse the order anyway
    }
    if (pos !== 0) ctx.closePosition();
    const size = risk?.size;
    const base: SizeSpec | undefined = size === undefined ? undefined : "fraction" in size ? { fraction: size.fraction } : "quantity" in size ? { quantity: size.quantity } : { risk: size.riskPercent / 100 };
    const place = (o: OrderOptions) => (dir === 1 ? ctx.buy(o) : ctx.sell(o));
    const targets = risk?.targets ?? [];
    if (targets.length === 0) {
      const o: OrderOptions = {};
      if (base) o.size = base;
      if (sl !== undefined) o.sl = sl;
      return place(o).accepted;
    }
    const legs: { share: number; tp?: number }[] = [];
    let used = 0;
    for (const t of targets) {
      const d = "percent" in t ? (close * t.percent) / 100 : "atr" in t ? (() => { const a = this.atr!.read("value", 0); return a === null ? null : a * t.atr; })() : dist * t.r;
      if (d === null) return false;
      const tp = close + dir * d;
      if (!(tp > 0)) continue;
      legs.push({ share: t.share, tp });
      used += t.share;
    }
    if (used < 1 - 1e-9) legs.push({ share: 1 - used });
    const fraction = base && "fraction" in base ? base.fraction : base === undefined ? 1 : null;
    let taken = 0;
    let any = false;
    for (const leg of legs) {
      let legSize: SizeSpec;
      if (fraction !== null) {
        // Each leg is sized on the margin the previous legs left: its share of the original, as a share of what remains.
        const f = Math.min(1, (fraction * leg.share) / (1 - fraction * taken));
        if (!(f > 0)) continue;
        legSize = { fraction: f };
        taken += leg.share;
      } else if ("quantity" in base!) legSize = { quantity: base.quantity * leg.share };
      else legSize = { risk: (base as { risk: number }).risk * leg.share };
      const o: OrderOptions = { size: legSize };
      if (sl !== undefined) o.sl = sl;
      if (leg.tp !== undefined) o.tp = leg.tp;
      if (place(o).accepted) any = true;
    }
    return any;
  }

  private moveStop(ctx: StrategyContext, stop: StopSpec | "breakeven"): void {
    const trades = ctx.openTrades;
    if (trades.length === 0) return;
    const dir = trades[0]!.side === "long" ? 1 : -1;
    const close = ctx.bars.close(ctx.bars.index);
    let level: number;
    if (stop === "breakeven") {
      // The average entry of the open trades (several legs share one entry bar, so usually one price).
      let units = 0;
      let cost = 0;
      for (const t of trades) {
        units += Math.abs(t.size);
        cost += Math.abs(t.size) * t.entryPrice;
      }
      level = cost / units;
    } else {
      const d = this.stopDistance(close, stop);
      if (d === null) return;
      level = close - dir * d;
    }
    // The stop must lie on the losing side of the last price (else it would fill at once) and be a price.
    if (!(Number.isFinite(level) && level > 0 && (dir === 1 ? level < close : level > close))) return;
    for (const t of trades) if (t.sl !== null && (dir === 1 ? t.sl > level : t.sl < level)) level = t.sl;
    if (trades.some((t) => t.sl !== level)) ctx.setStopLoss(level);
  }
}

/** A fresh Strategy for a validated document (strategies keep state: compile once per run). */
export function compileRules(doc: RulesDocument): Strategy {
  return new RulesStrategy(doc);
}
