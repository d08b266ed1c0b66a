/**
 * Acceptance 4: 1,000 random rule documents. `parseRules` never throws, and every document it accepts compiles and
 * runs through the engine over a few hundred candles without throwing. Half the documents are arbitrary JSON; half
 * are near-valid: built from the registry (real ids, parameters around their bounds, real and wrong output names)
 * and then mutated (a key dropped, renamed or replaced with random JSON), so most reach the deep checks and many
 * pass them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backtestingPy, DEFAULT_CONFIG, Engine } from "@/lib/engine";
import { toBarSeries } from "@/lib/engine/series";
import type { Bar, EngineConfig } from "@/lib/engine/types";
import { INDICATORS, INDICATOR_IDS } from "@/lib/indicators";
import { randomCandles } from "@/lib/indicators/test-fixtures";
import { compileRules } from "./evaluator";
import { EXAMPLE_RULES } from "./examples";
import { ACTION_TYPES, OPS, parseRules, PRICE_FIELDS } from "./schema";

const bars: Bar[] = randomCandles(300, 19, { start: 50, tick: 0.25, step: 1.5 }).map((c) => ({ time: c.time!, open: c.open!, high: c.high, low: c.low, close: c.close, volume: c.volume! + 1 }));
const series = toBarSeries(bars);
const configs: Partial<EngineConfig>[] = [DEFAULT_CONFIG, backtestingPy({ cash: 10_000, commission: 0.002, exclusiveOrders: true }), { ...DEFAULT_CONFIG, hedging: true, quantityStep: 1 }];

const indicatorOperand = fc.constantFrom(...INDICATOR_IDS).chain((id) => {
  const spec = INDICATORS[id];
  const params = fc.record(
    Object.fromEntries(
      spec.params.map((p) => [
        p.key,
        p.type === "choice"
          ? fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...p.options.map((o) => o.value)) }, { weight: 1, arbitrary: fc.constant("weekly") })
          : fc.oneof({ weight: 60, arbitrary: p.type === "integer" ? fc.integer({ min: p.min, max: Math.min(p.max, 60) }) : fc.double({ min: p.min, max: p.max, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(p.min - 1, p.max + 1, 2.5, "x") }),
      ]),
    ),
    { requiredKeys: [] },
  );
  const outputs = spec.outputs.map((o) => o.key);
  return fc.record(
    { indicator: fc.constant<string>(id), params, output: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...outputs) }, { weight: 1, arbitrary: fc.constant("nope") }), offset: fc.oneof({ weight: 60, arbitrary: fc.integer({ min: 0, max: 5 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 600) }) },
    { requiredKeys: outputs.length > 1 ? ["indicator", "output"] : ["indicator"] },
  );
});
const priceOperand = fc.record({ price: fc.constantFrom(...PRICE_FIELDS), offset: fc.integer({ min: 0, max: 3 }) }, { requiredKeys: ["price"] });
const constOperand = fc.record({ const: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double({ noNaN: true, min: -1e6, max: 1e6 })) });
const operand = fc.oneof({ weight: 3, arbitrary: indicatorOperand }, { weight: 2, arbitrary: priceOperand }, { weight: 1, arbitrary: constOperand });
const condition = fc.record({ left: operand, op: fc.oneof({ weight: 100, arbitrary: fc.constantFrom(...OPS) }, { weight: 1, arbitrary: fc.constant("=") }), right: operand });
const { node } = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof({ maxDepth: 3, depthSize: "small", withCrossShrink: true }, condition, fc.record({ all: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) }), fc.record({ any: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) })),
}));
const stop = fc.oneof(fc.record({ percent: fc.double({ min: 0.1, max: 20, noNaN: true }) }), fc.record({ atr: fc.double({ min: 0.1, max: 5, noNaN: true }) }));
const action = fc.oneof(fc.constantFrom(...ACTION_TYPES.filter((t) => t !== "move_stop")).map((type) => ({ type })), fc.record({ type: fc.constant("move_stop"), stop: fc.oneof(stop, fc.constant("breakeven")) }));
const target = fc.record({ level: fc.oneof(fc.record({ percent: fc.double({ min: 0.5, max: 30, noNaN: true }) }), fc.record({ atr: fc.double({ min: 0.5, max: 6, noNaN: true }) }), fc.record({ r: fc.double({ min: 0.5, max: 5, noNaN: true }) })), share: fc.double({ min: 0.05, max: 0.33, noNaN: true }) }).map(({ level, share }) => ({ ...level, share }));
const size = fc.oneof(fc.record({ fraction: fc.double({ min: 0.01, max: 1, noNaN: true }) }), fc.record({ quantity: fc.double({ min: 0.5, max: 50, noNaN: true }) }), fc.record({ riskPercent: fc.double({ min: 0.1, max: 5, noNaN: true }) }));
const risk = fc.record({ stop, targets: fc.array(target, { maxLength: 3 }), size, atrPeriod: fc.integer({ min: 1, max: 30 }) }, { requiredKeys: ["stop"] });
const nearValid = fc.record({ version: fc.constant(1), name: fc.string({ minLength: 1, maxLength: 20 }).filter((n) => n.trim().length > 0), rules: fc.array(fc.record({ when: node, then: action }), { minLength: 1, maxLength: 4 }), risk }, { requiredKeys: ["version", "rules"] });

/** Drops, renames or replaces one value somewhere in the document (random JSON in its place). */
function mutate(doc: unknown, choice: number, replacement: unknown): unknown {
  const spots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, k) => {
        spots.push({ parent: v, key: k });
        walk(x);
      });
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        spots.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  const copy = JSON.parse(JSON.stringify(doc)) as unknown;
  walk(copy);
  if (spots.length === 0) return copy;
  const { parent, key } = spots[choice % spots.length]!;
  const how = choice % 3;
  if (Array.isArray(parent)) {
    if (how === 0) parent.splice(key as number, 1);
    else parent[key as number] = replacement;
  } else if (how === 0) delete parent[key as string];
  else if (how === 1) {
    parent[`${key as string}_`] = parent[key as string];
    delete parent[key as string];
  } else parent[key as string] = replacement;
  return copy;
}

const mutated = fc.tuple(fc.oneof(nearValid, fc.constantFrom(...EXAMPLE_RULES.map((e) => e.doc))), fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([d, c, r]) => mutate(d, c, r));
const anything = fc.oneof(fc.jsonValue({ maxDepth: 6 }), fc.anything({ maxDepth: 4 }));

describe("fuzz: 1,000 random rule documents (acceptance 4)", () => {
  it("parseRules never throws; every accepted document compiles and runs over 300 candles", () => {
    let accepted = 0;
    let trades = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 2, arbitrary: anything }, { weight: 3, arbitrary: mutated }, { weight: 3, arbitrary: nearValid }), fc.nat({ max: configs.length - 1 }), (doc, c) => {
        const r = parseRules(doc);
        if (!r.ok) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(typeof e.path === "string" && e.message.length > 0).toBe(true);
          return;
        }
        accepted++;
        const result = new Engine(compileRules(r.rules), configs[c], series).run();
        trades += result.tradeCount;
        expect(result.equity.length).toBe(series.length);
      }),
      { numRuns: 1000, seed: 20261207 },
    );
    // A fuzz test whose documents all fail validation would prove nothing about the evaluator.
    expect(accepted).toBeGreaterThan(150);
    expect(trades).toBeGreaterThan(100);
    console.info(`[rules] fuzz: ${accepted} of 1000 documents accepted and run, ${trades} trades`);
  });
});
