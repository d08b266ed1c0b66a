import { describe, expect, it } from "vitest";
import { BOLLINGER_BREAKOUT_RULES, EXAMPLE_RULES, RSI_REVERSION_RULES, SMA_CROSS_RULES } from "./examples";
import { exportRules, importRules } from "./io";
import { MAX_GROUP_DEPTH, parseRules, pathSegments, rulesDocumentSchema, type RulesDocument } from "./schema";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const sma = (period: unknown) => ({ indicator: "sma", params: { period } });
const doc = (when: unknown, then: unknown = { type: "enter_long" }, extra: Record<string, unknown> = {}) => ({ version: 1, rules: [{ when, then }], ...extra });
const cond = { left: sma(10), op: ">", right: sma(20) };
const nest = (levels: number): unknown => (levels === 0 ? cond : { all: [nest(levels - 1)] });

describe("parseRules: examples", () => {
  it.each(EXAMPLE_RULES.map((e) => [e.id, e.doc] as const))("%s parses to itself", (_id, d) => {
    const r = parseRules(clone(d));
    expect(r).toEqual({ ok: true, rules: d });
  });
});

/**
 * Acceptance 4: each mistake is refused with an error at the field's path and a message saying what to do.
 * [what, document, expected path, part of the message]
 */
const MISTAKES: [string, unknown, string, RegExp][] = [
  ["not an object", "buy low sell high", "", /must be an object/],
  ["missing version", { rules: [{ when: cond, then: { type: "exit" } }] }, "version", /version is missing/],
  ["wrong version", { ...doc(cond), version: 2 }, "version", /unsupported version 2/],
  ["no rules", { version: 1, rules: [] }, "rules", /add at least one rule/],
  ["unknown indicator", doc({ left: { indicator: "smaa", params: { period: 10 } }, op: ">", right: sma(20) }), "rules[0].when.left.indicator", /unknown indicator "smaa": pick one of sma, ema/],
  ["unknown param", doc({ left: { indicator: "rsi", params: { length: 14 } }, op: "<", right: { const: 30 } }), "rules[0].when.left.params.length", /RSI has no parameter "length": it takes period/],
  ["param of the wrong type", doc({ all: [cond, { left: sma("ten"), op: ">", right: sma(20) }] }), "rules[0].when.all[1].left.params.period", /must be a whole number between 1 and 1000/],
  ["param not whole", doc({ all: [cond, { left: sma(10.5), op: ">", right: sma(20) }] }), "rules[0].when.all[1].left.params.period", /must be a whole number between 1 and 1000/],
  ["param out of range", doc({ left: { indicator: "rsi", params: { period: 1 } }, op: "<", right: { const: 30 } }), "rules[0].when.left.params.period", /must be a whole number between 2 and 500/],
  ["parameters that do not fit together", doc({ left: { indicator: "macd", params: { fast: 30, slow: 10 }, output: "macd" }, op: ">", right: { const: 0 } }), "rules[0].when.left.params", /fast/i],
  ["unknown output", doc({ left: { indicator: "macd", output: "line" }, op: ">", right: { const: 0 } }), "rules[0].when.left.output", /no output "line": pick one of macd, signal, histogram/],
  ["missing output of a multi-output indicator", doc({ left: { price: "close" }, op: ">", right: { indicator: "bollinger" } }), "rules[0].when.right.output", /several outputs: name one of middle, upper, lower/],
  ["output on a single-output indicator", doc({ left: { indicator: "rsi", output: "rsi" }, op: ">", right: { const: 50 } }), "rules[0].when.left.output", /one output, "value"/],
  ["bad op", doc({ left: sma(10), op: "=>", right: sma(20) }), "rules[0].when.op", /unknown op "=>": pick one of == != </],
  ["bad price field", doc({ left: { price: "mid" }, op: ">", right: sma(20) }), "rules[0].when.left.price", /price must be one of open, high, low, close, volume/],
  ["operand with two kinds", doc({ left: { price: "close", const: 3 }, op: ">", right: sma(20) }), "rules[0].when.left", /not price and const/],
  ["const that is text", doc({ left: sma(10), op: ">", right: { const: "30" } }), "rules[0].when.right.const", /const must be a finite number/],
  ["negative offset", doc({ left: { price: "close", offset: -1 }, op: ">", right: sma(20) }), "rules[0].when.left.offset", /whole number of bars back/],
  ["two constants", doc({ left: { const: 1 }, op: ">", right: { const: 2 } }), "rules[0].when", /two constants/],
  ["empty group", doc({ any: [] }), "rules[0].when.any", /empty group/],
  ["group with both all and any", doc({ all: [cond], any: [cond] }), "rules[0].when", /either all \(AND\) or any \(OR\)/],
  ["groups too deep", doc(nest(MAX_GROUP_DEPTH + 1)), "rules[0].when.all[0].all[0].all[0].all[0].all", /nest at most 4 deep/],
  ["group too large", doc({ all: Array.from({ length: 11 }, () => cond) }), "rules[0].when.all", /at most 10 items/],
  ["missing action", { version: 1, rules: [{ when: cond }] }, "rules[0].then", /then is missing/],
  ["unknown action", doc(cond, { type: "buy" }), "rules[0].then.type", /unknown action "buy": pick one of enter_long, enter_short, exit, move_stop/],
  ["move_stop without a stop", doc(cond, { type: "move_stop" }), "rules[0].then.stop", /stop/],
  ["unknown field in a condition", doc({ ...cond, note: "x" }), "rules[0].when.note", /unknown field/],
  ["targets over 100%", doc(cond, undefined, { risk: { targets: [{ percent: 5, share: 0.6 }, { percent: 10, share: 0.6 }] } }), "risk.targets", /add up to 120%: they may close at most 100%/],
  ["target with two levels", doc(cond, undefined, { risk: { targets: [{ percent: 5, atr: 2, share: 0.5 }] } }), "risk.targets[0]", /exactly one of percent, atr, r/],
  ["stop percent out of range", doc(cond, undefined, { risk: { stop: { percent: 0 } } }), "risk.stop.percent", /percentage between 0 and 90/],
  ["risk size without a stop", doc(cond, undefined, { risk: { size: { riskPercent: 1 } } }), "risk.size", /needs risk.stop/],
  ["size fraction over 1", doc(cond, undefined, { risk: { size: { fraction: 1.5 } } }), "risk.size.fraction", /at most 1/],
  ["r target without a stop", doc(cond, undefined, { risk: { targets: [{ r: 2, share: 1 }] } }), "risk.targets[0].r", /set risk.stop/],
];

describe("parseRules refuses mistakes with a message naming the field (acceptance 4)", () => {
  it("has at least 12 distinct mistakes", () => {
    expect(new Set(MISTAKES.map((m) => m[0])).size).toBeGreaterThanOrEqual(12);
  });
  it.each(MISTAKES)("%s", (_what, input, path, message) => {
    const r = parseRules(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const hit = r.errors.find((e) => e.path === path);
    expect(hit, `errors were ${JSON.stringify(r.errors)}`).toBeDefined();
    expect(hit!.message).toMatch(message);
  });

  it("reports every mistake in one pass, each at its own path", () => {
    const r = parseRules({ version: 1, rules: [{ when: { left: sma(0), op: "??", right: { price: "mid" } }, then: { type: "exit" } }, { when: cond }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path).sort()).toEqual(["rules[0].when.left.params.period", "rules[0].when.op", "rules[0].when.right.price", "rules[1].then"]);
  });

  it("refuses hostile nesting without overflowing the stack", () => {
    let deep: unknown = cond;
    for (let k = 0; k < 100_000; k++) deep = { all: [deep] };
    const r = parseRules(doc(deep));
    expect(r.ok).toBe(false);
  });

  it("never throws on values JSON cannot make", () => {
    const trap = new Proxy({}, { ownKeys: () => { throw new Error("boom"); } });
    expect(parseRules(doc(trap)).ok).toBe(false);
    expect(parseRules(undefined).ok).toBe(false);
  });
});

describe("rulesDocumentSchema (for forms)", () => {
  it("gives the same errors as zod issues at their paths", () => {
    const r = rulesDocumentSchema.safeParse(doc({ left: sma(0), op: ">", right: sma(20) }));
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["rules", 0, "when", "left", "params", "period"]);
    expect(rulesDocumentSchema.parse(clone(SMA_CROSS_RULES))).toEqual(SMA_CROSS_RULES);
  });
  it("pathSegments reads a formatted path back", () => {
    expect(pathSegments("rules[0].when.all[12].left")).toEqual(["rules", 0, "when", "all", 12, "left"]);
    expect(pathSegments("")).toEqual([]);
  });
});

describe("import/export", () => {
  it("round trips: export ∘ import is the identity on text, import ∘ export on documents", () => {
    for (const { doc: d } of EXAMPLE_RULES) {
      const text = exportRules(d);
      const back = importRules(text);
      expect(back).toEqual({ ok: true, rules: d });
      expect(exportRules((back as { rules: RulesDocument }).rules)).toBe(text);
    }
  });
  it("writes keys in one order whatever order they came in", () => {
    const shuffled = { risk: { size: { fraction: 0.5 }, stop: { percent: 3 } }, rules: clone(RSI_REVERSION_RULES.rules).map((r) => ({ then: r.then, when: r.when })), description: RSI_REVERSION_RULES.description, name: RSI_REVERSION_RULES.name, version: 1 };
    const r = parseRules(shuffled);
    expect(r.ok).toBe(true);
    expect(exportRules((r as { rules: RulesDocument }).rules)).toBe(exportRules(RSI_REVERSION_RULES));
    expect(exportRules(BOLLINGER_BREAKOUT_RULES).indexOf('"version"')).toBeLessThan(exportRules(BOLLINGER_BREAKOUT_RULES).indexOf('"rules"'));
  });
  it("reports a JSON syntax error at the root instead of throwing", () => {
    const r = importRules("{ version: 1 ");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]).toMatchObject({ path: "", message: expect.stringMatching(/not valid JSON/) });
  });
});
