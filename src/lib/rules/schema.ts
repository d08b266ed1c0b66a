/**
 * JSON rules (issue 19), Tradetron-style: the document a person builds in the rule builder, its zod schema, and
 * `parseRules`, which checks a document against the structure AND the indicator registry and answers with
 * errors that name the field (`rules[0].when.all[1].left.params.period: must be a whole number between 1 and
 * 1000`). Pure: the browser validates live with the same code the server runs before a backtest.
 *
 * Shape (version 1):
 *   { version: 1, name?, description?,
 *     rules: [{ when: <condition or group>, then: <action> }, …],
 *     risk?: { stop?, targets?, size?, atrPeriod? } }
 *   operand    { indicator: "rsi", params?: { period: 14 }, output?: "value", offset?: bars back }
 *            | { price: "open"|"high"|"low"|"close"|"volume", offset? } | { const: number }
 *   condition  { left, op, right }, op one of == != < > <= >= crosses_above crosses_below
 *   group      { all: [...] } (AND) | { any: [...] } (OR), nested at most MAX_GROUP_DEPTH deep
 *   action     { type: "enter_long" } | { type: "enter_short" } | { type: "exit" }
 *            | { type: "move_stop", stop: { percent } | { atr } | "breakeven" }
 *   risk.stop  { percent } (of the entry bar's close) | { atr } (multiple of ATR(atrPeriod))
 *   targets    [{ percent | atr | r, share }] (r: a multiple of the stop distance), shares summing to ≤ 1
 *   size       { fraction } of available equity | { quantity } units | { riskPercent } of equity lost at the stop
 *
 * How these map onto the engine is in ./evaluator.ts. Percent fields are percentages (2 = 2%), fractions and shares
 * are fractions (0.5 = half): the names say which.
 *
 * Why zod for the leaves and a hand-written walk for the tree: a zod union of operand or node shapes reports a
 * failed union as one "Invalid input" at the union's path, which tells a person nothing. The walk picks the shape
 * by its key (`indicator`, `price`, `const`; `all`, `any`, `op`) and runs that shape's zod schema, so every message
 * is the specific one at the exact path. `rulesDocumentSchema` wraps the walk as a zod schema for forms.
 */
import { z } from "zod";
import { createIndicator, INDICATORS, INDICATOR_IDS, type IndicatorSpec, type ParamValues } from "@/lib/indicators";

export const RULES_VERSION = 1;
/** AND/OR groups inside one rule's `when`: `{ all: [{ any: [{ all: [...] }] }] }` is 3 deep. */
export const MAX_GROUP_DEPTH = 4;
/** Items in one group. */
export const MAX_GROUP_SIZE = 10;
export const MAX_RULES = 20;
/** Conditions in the whole document: each indicator operand is updated on every candle. */
export const MAX_CONDITIONS = 50;
/** How many bars back an operand may look. */
export const MAX_OFFSET = 500;
export const MAX_TARGETS = 5;
/** Anything nested deeper than this is refused before it is read (a guard against hostile input, far above any real document). */
const MAX_JSON_DEPTH = 64;

export const PRICE_FIELDS = ["open", "high", "low", "close", "volume"] as const;
export const OPS = ["==", "!=", "<", ">", "<=", ">=", "crosses_above", "crosses_below"] as const;
export const ACTION_TYPES = ["enter_long", "enter_short", "exit", "move_stop"] as const;

export type PriceField = (typeof PRICE_FIELDS)[number];
export type Op = (typeof OPS)[number];

export type IndicatorOperand = { indicator: string; params?: ParamValues; output?: string; offset?: number };
export type PriceOperand = { price: PriceField; offset?: number };
export type ConstOperand = { const: number };
export type Operand = IndicatorOperand | PriceOperand | ConstOperand;
export type Condition = { left: Operand; op: Op; right: Operand };
export type Group = { all: RuleNode[] } | { any: RuleNode[] };
export type RuleNode = Condition | Group;

export type StopSpec = { percent: number } | { atr: number };
export type Action =
  | { type: "enter_long" }
  | { type: "enter_short" }
  | { type: "exit" }
  | { type: "move_stop"; stop: StopSpec | "breakeven" };
export type Rule = { when: RuleNode; then: Action };
export type Target = ({ percent: number } | { atr: number } | { r: number }) & { share: number };
export type RulesSize = { fraction: number } | { quantity: number } | { riskPercent: number };
export interface Risk {
  stop?: StopSpec;
  targets?: Target[];
  size?: RulesSize;
  /** Period of the ATR that `atr` stops and targets are multiples of (default 14). */
  atrPeriod?: number;
}
export interface RulesDocument {
  version: typeof RULES_VERSION;
  name?: string;
  description?: string;
  rules: Rule[];
  risk?: Risk;
}

export interface RuleError {
  /** `rules[0].when.all[1].left.params.period`; "" for the document itself. */
  path: string;
  message: string;
}
export type ParseResult = { ok: true; rules: RulesDocument } | { ok: false; errors: RuleError[] };

export const DEFAULT_ATR_PERIOD = 14;

// ---- zod leaves ---------------------------------------------------------------------------------------------------

const offsetSchema = z
  .number({ error: `offset must be a whole number of bars back, 0 to ${MAX_OFFSET}` })
  .int({ error: `offset must be a whole number of bars back, 0 to ${MAX_OFFSET}` })
  .min(0, { error: `offset must be a whole number of bars back, 0 to ${MAX_OFFSET}` })
  .max(MAX_OFFSET, { error: `offset must be a whole number of bars back, 0 to ${MAX_OFFSET}` });

const indicatorOperandSchema = z.strictObject(
  {
    indicator: z.string({ error: "indicator must be the id of an indicator, like \"sma\"" }),
    params: z
      .record(z.string(), z.union([z.number(), z.string()], { error: "a parameter must be a number (or, for a choice, text)" }), {
        error: "params must be an object like { \"period\": 14 }",
      })
      .optional(),
    output: z.string({ error: "output must be the name of one of the indicator's outputs" }).optional(),
    offset: offsetSchema.optional(),
  },
  { error: (i) => (i.code === "unrecognized_keys" ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}: an indicator operand has indicator, params, output, offset` : "must be an object") },
);

const priceOperandSchema = z.strictObject(
  {
    price: z.enum(PRICE_FIELDS, { error: `price must be one of ${PRICE_FIELDS.join(", ")}` }),
    offset: offsetSchema.optional(),
  },
  { error: (i) => (i.code === "unrecognized_keys" ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}: a price operand has price, offset` : "must be an object") },
);

const constOperandSchema = z.strictObject(
  { const: z.number({ error: "const must be a finite number" }) },
  { error: (i) => (i.code === "unrecognized_keys" ? `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}: a constant operand has only const` : "must be an object") },
);

const percentSchema = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a percentage between 0 and ${max} (2 means 2%)` })
    .gt(0, { error: `${what} must be a percentage between 0 and ${max} (2 means 2%)` })
    .max(max, { error: `${what} must be a percentage between 0 and ${max} (2 means 2%)` });
const atrMultipleSchema = z
  .number({ error: "atr must be a multiple of the ATR between 0.1 and 20" })
  .min(0.1, { error: "atr must be a multiple of the ATR between 0.1 and 20" })
  .max(20, { error: "atr must be a multiple of the ATR between 0.1 and 20" });

const oneOf = (keys: readonly string[], what: string) => (v: unknown) =>
  typeof v === "object" && v !== null && !Array.isArray(v) && keys.filter((k) => Object.hasOwn(v, k)).length === 1
    ? true
    : `${what} needs exactly one of ${keys.join(", ")}`;

const stopSchema = z
  .strictObject({ percent: percentSchema("percent", 90).optional(), atr: atrMultipleSchema.optional() }, { error: (i) => (i.code === "unrecognized_keys" ? `unknown field ${i.keys.map((k) => `"${k}"`).join(", ")}: a stop is { "percent": 2 } or { "atr": 2 }` : "a stop is { \"percent\": 2 } or { \"atr\": 2 }") })
  .check((ctx) => {
    const ok = oneOf(["percent", "atr"], "a stop")(ctx.value);
    if (ok !== true) ctx.issues.push({ code: "custom", message: ok, input: ctx.value });
  }) as unknown as z.ZodType<StopSpec>;

const moveStopSchema = z.union([z.literal("breakeven"), stopSchema], {
  error: "stop must be \"breakeven\", { \"percent\": 2 } or { \"atr\": 2 }",
});

const targetSchema = z
  .strictObject(
    {
      percent: percentSchema("percent", 1000).optional(),
      atr: atrMultipleSchema.optional(),
      r: z.number({ error: "r must be a multiple of the stop distance between 0.1 and 50" }).min(0.1, { error: "r must be a multiple of the stop distance between 0.1 and 50" }).max(50, { error: "r must be a multiple of the stop distance between 0.1 and 50" }).optional(),
      share: z.number({ error: "share must be the fraction of the position this target closes, above 0 and at most 1" }).gt(0, { error: "share must be the fraction of the position this target closes, above 0 and at most 1" }).max(1, { error: "share must be the fraction of the position this target closes, above 0 and at most 1" }),
    },
    { error: (i) => (i.code === "unrecognized_keys" ? `unknown field ${i.keys.map((k) => `"${k}"`).join(", ")}: a target is { "percent" | "atr" | "r": n, "share": s }` : "a target is an object like { \"percent\": 5, \"share\": 0.5 }") },
  )
  .check((ctx) => {
    const ok = oneOf(["percent", "atr", "r"], "a target")(ctx.value);
    if (ok !== true) ctx.issues.push({ code: "custom", message: ok, input: ctx.value });
  });

const sizeSchema = z
  .strictObject(
    {
      fraction: z.number({ error: "fraction must be the share of available equity, above 0 and at most 1" }).gt(0, { error: "fraction must be the share of available equity, above 0 and at most 1" }).max(1, { error: "fraction must be the share of available equity, above 0 and at most 1" }).optional(),
      quantity: z.number({ error: "quantity must be a positive number of units" }).gt(0, { error: "quantity must be a positive number of units" }).max(1e12, { error: "quantity must be at most 1e12 units" }).optional(),
      riskPercent: percentSchema("riskPercent", 50).optional(),
    },
    { error: (i) => (i.code === "unrecognized_keys" ? `unknown field ${i.keys.map((k) => `"${k}"`).join(", ")}: a size is { "fraction" | "quantity" | "riskPercent": n }` : "a size is an object like { \"fraction\": 0.5 }") },
  )
  .check((ctx) => {
    const ok = oneOf(["fraction", "quantity", "riskPercent"], "a size")(ctx.value);
    if (ok !== true) ctx.issues.push({ code: "custom", message: ok, input: ctx.value });
  });

export const riskSchema = z
  .strictObject(
    {
      stop: stopSchema.optional(),
      targets: z.array(targetSchema, { error: "targets must be a list" }).max(MAX_TARGETS, { error: `at most ${MAX_TARGETS} targets` }).optional(),
      size: sizeSchema.optional(),
      atrPeriod: z.number({ error: "atrPeriod must be a whole number between 1 and 500" }).int({ error: "atrPeriod must be a whole number between 1 and 500" }).min(1, { error: "atrPeriod must be a whole number between 1 and 500" }).max(500, { error: "atrPeriod must be a whole number between 1 and 500" }).optional(),
    },
    { error: (i) => (i.code === "unrecognized_keys" ? `unknown field ${i.keys.map((k) => `"${k}"`).join(", ")}: risk has stop, targets, size, atrPeriod` : "risk must be an object") },
  )
  .check((ctx) => {
    const r = ctx.value;
    const total = (r.targets ?? []).reduce((s, t) => s + t.share, 0);
    // A hair of tolerance so that thirds (0.333…, ×3) are accepted.
    if (total > 1 + 1e-9) ctx.issues.push({ code: "custom", path: ["targets"], message: `target shares add up to ${+(total * 100).toFixed(4)}%: they may close at most 100% of the position`, input: r.targets });
    if (r.size && "riskPercent" in r.size && !r.stop) ctx.issues.push({ code: "custom", path: ["size"], message: "a riskPercent size needs risk.stop: the risk is measured to the stop", input: r.size });
    (r.targets ?? []).forEach((t, k) => {
      if ("r" in t && !r.stop) ctx.issues.push({ code: "custom", path: ["targets", k, "r"], message: "an r target is a multiple of the stop distance: set risk.stop", input: t });
    });
  });

const actionSchemas = {
  enter_long: z.strictObject({ type: z.literal("enter_long") }, { error: "enter_long takes no other field" }),
  enter_short: z.strictObject({ type: z.literal("enter_short") }, { error: "enter_short takes no other field" }),
  exit: z.strictObject({ type: z.literal("exit") }, { error: "exit takes no other field" }),
  move_stop: z.strictObject({ type: z.literal("move_stop"), stop: moveStopSchema }, { error: (i) => (i.code === "unrecognized_keys" ? "move_stop has only type and stop" : "move_stop needs stop: \"breakeven\", { \"percent\": 2 } or { \"atr\": 2 }") }),
};

// ---- the walk -----------------------------------------------------------------------------------------------------

type Path = (string | number)[];

export function formatPath(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s === "" ? String(p) : `.${String(p)}`;
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`);

class Walker {
  readonly errors: RuleError[] = [];
  conditions = 0;

  err(path: Path, message: string): void {
    // A long list of errors helps nobody: the first 50 are plenty to fix before trying again.
    if (this.errors.length < 50) this.errors.push({ path: formatPath(path), message });
  }

  zod<T>(schema: z.ZodType<T>, value: unknown, path: Path): T | undefined {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    for (const i of r.error.issues) this.err([...path, ...(i.path as (string | number)[])], i.message);
    return undefined;
  }

  document(v: unknown): RulesDocument | undefined {
    if (!isObject(v)) {
      this.err([], `a rules document must be an object, got ${describe(v)}`);
      return undefined;
    }
    const known = new Set(["version", "name", "description", "rules", "risk"]);
    for (const k of Object.keys(v)) if (!known.has(k)) this.err([k], `unknown field: a rules document has version, name, description, rules, risk`);
    if (v.version !== RULES_VERSION) this.err(["version"], v.version === undefined ? `version is missing: this is version ${RULES_VERSION}` : `unsupported version ${JSON.stringify(v.version)}: this is version ${RULES_VERSION}`);
    const name = v.name === undefined ? undefined : this.zod(z.string({ error: "name must be text" }).trim().min(1, { error: "name must not be empty" }).max(100, { error: "name must be at most 100 characters" }), v.name, ["name"]);
    const description = v.description === undefined ? undefined : this.zod(z.string({ error: "description must be text" }).max(2000, { error: "description must be at most 2000 characters" }), v.description, ["description"]);
    const risk = v.risk === undefined ? undefined : this.zod(riskSchema, v.risk, ["risk"]);
    const rules: Rule[] = [];
    if (!Array.isArray(v.rules)) this.err(["rules"], v.rules === undefined ? "rules is missing: a list of { when, then }" : `rules must be a list of { when, then }, got ${describe(v.rules)}`);
    else if (v.rules.length === 0) this.err(["rules"], "rules is empty: add at least one rule");
    else if (v.rules.length > MAX_RULES) this.err(["rules"], `at most ${MAX_RULES} rules, got ${v.rules.length}`);
    else {
      v.rules.forEach((r, k) => {
        const rule = this.rule(r, ["rules", k]);
        if (rule) rules.push(rule);
      });
      if (this.conditions > MAX_CONDITIONS) this.err(["rules"], `at most ${MAX_CONDITIONS} conditions in a document, got ${this.conditions}`);
    }
    if (this.errors.length > 0) return undefined;
    // Built key by key (not spread) so absent optional fields stay absent rather than `undefined`.
    const doc: RulesDocument = { version: RULES_VERSION, rules };
    if (name !== undefined) doc.name = name;
    if (description !== undefined) doc.description = description;
    if (risk !== undefined) doc.risk = risk as Risk;
    return doc;
  }

  rule(v: unknown, path: Path): Rule | undefined {
    if (!isObject(v)) {
      this.err(path, `a rule must be an object { when, then }, got ${describe(v)}`);
      return undefined;
    }
    for (const k of Object.keys(v)) if (k !== "when" && k !== "then") this.err([...path, k], "unknown field: a rule has when and then");
    const when = v.when === undefined ? (this.err([...path, "when"], "when is missing: a condition or an { all } / { any } group"), undefined) : this.node(v.when, [...path, "when"], 0);
    const then = v.then === undefined ? (this.err([...path, "then"], `then is missing: an action like { "type": "enter_long" }`), undefined) : this.action(v.then, [...path, "then"]);
    return when && then ? { when, then } : undefined;
  }

  action(v: unknown, path: Path): Action | undefined {
    if (!isObject(v)) {
      this.err(path, `an action must be an object like { "type": "enter_long" }, got ${describe(v)}`);
      return undefined;
    }
    const type = v.type;
    if (typeof type !== "string" || !Object.hasOwn(actionSchemas, type)) {
      this.err([...path, "type"], `${type === undefined ? "type is missing" : `unknown action ${JSON.stringify(type)}`}: pick one of ${ACTION_TYPES.join(", ")}`);
      return undefined;
    }
    return this.zod(actionSchemas[type as keyof typeof actionSchemas] as z.ZodType<Action>, v, path);
  }

  node(v: unknown, path: Path, depth: number): RuleNode | undefined {
    if (!isObject(v)) {
      this.err(path, `must be a condition { left, op, right } or a group { all: [...] } / { any: [...] }, got ${describe(v)}`);
      return undefined;
    }
    const isAll = Object.hasOwn(v, "all");
    const isAny = Object.hasOwn(v, "any");
    if (isAll || isAny) {
      if (isAll && isAny) {
        this.err(path, "a group has either all (AND) or any (OR), not both: nest one inside the other");
        return undefined;
      }
      const key = isAll ? "all" : "any";
      for (const k of Object.keys(v)) if (k !== key) this.err([...path, k], `unknown field: a group has only ${key}`);
      const items = v[key];
      if (depth + 1 > MAX_GROUP_DEPTH) {
        this.err([...path, key], `groups nest at most ${MAX_GROUP_DEPTH} deep: flatten this one into its parent`);
        return undefined;
      }
      if (!Array.isArray(items)) {
        this.err([...path, key], `${key} must be a list of conditions or groups, got ${describe(items)}`);
        return undefined;
      }
      if (items.length === 0) {
        this.err([...path, key], `${key} is an empty group: add a condition or remove the group`);
        return undefined;
      }
      if (items.length > MAX_GROUP_SIZE) {
        this.err([...path, key], `a group holds at most ${MAX_GROUP_SIZE} items, got ${items.length}: split it into nested groups`);
        return undefined;
      }
      const out: RuleNode[] = [];
      items.forEach((item, k) => {
        const n = this.node(item, [...path, key, k], depth + 1);
        if (n) out.push(n);
      });
      if (out.length !== items.length) return undefined;
      return isAll ? { all: out } : { any: out };
    }
    return this.condition(v, path);
  }

  condition(v: Record<string, unknown>, path: Path): Condition | undefined {
    this.conditions++;
    for (const k of Object.keys(v)) if (k !== "left" && k !== "op" && k !== "right") this.err([...path, k], "unknown field: a condition has left, op, right (a group has all or any)");
    let ok = true;
    if (typeof v.op !== "string" || !(OPS as readonly string[]).includes(v.op)) {
      this.err([...path, "op"], `${v.op === undefined ? "op is missing" : `unknown op ${JSON.stringify(v.op)}`}: pick one of ${OPS.join(" ")}`);
      ok = false;
    }
    const left = v.left === undefined ? (this.err([...path, "left"], "left is missing: an indicator, a price or a const"), undefined) : this.operand(v.left, [...path, "left"]);
    const right = v.right === undefined ? (this.err([...path, "right"], "right is missing: an indicator, a price or a const"), undefined) : this.operand(v.right, [...path, "right"]);
    if (!ok || !left || !right) return undefined;
    if ("const" in left && "const" in right) {
      this.err(path, "compares two constants, so it never changes: make one side an indicator or a price");
      return undefined;
    }
    return { left, op: v.op as Op, right };
  }

  operand(v: unknown, path: Path): Operand | undefined {
    if (!isObject(v)) {
      this.err(path, `an operand must be an object: { "indicator": … }, { "price": … } or { "const": … }, got ${describe(v)}`);
      return undefined;
    }
    const kinds = ["indicator", "price", "const"].filter((k) => Object.hasOwn(v, k));
    if (kinds.length !== 1) {
      this.err(path, kinds.length === 0 ? "an operand needs one of indicator, price, const" : `an operand is one of indicator, price, const, not ${kinds.join(" and ")}`);
      return undefined;
    }
    if (kinds[0] === "price") return this.zod(priceOperandSchema, v, path);
    if (kinds[0] === "const") return this.zod(constOperandSchema, v, path);
    const op = this.zod(indicatorOperandSchema, v, path);
    if (!op) return undefined;
    return this.indicator(op, path);
  }

  /** The registry's checks, each at the field it is about. */
  indicator(op: IndicatorOperand, path: Path): IndicatorOperand | undefined {
    if (!Object.hasOwn(INDICATORS, op.indicator)) {
      this.err([...path, "indicator"], `unknown indicator ${JSON.stringify(op.indicator)}: pick one of ${INDICATOR_IDS.join(", ")}`);
      return undefined;
    }
    const spec: IndicatorSpec = INDICATORS[op.indicator as keyof typeof INDICATORS];
    const before = this.errors.length;
    const params = op.params ?? {};
    for (const [key, value] of Object.entries(params)) {
      const p = spec.params.find((q) => q.key === key);
      const at = [...path, "params", key];
      if (!p) {
        this.err(at, `${spec.shortName} has no parameter "${key}": ${spec.params.length ? `it takes ${spec.params.map((q) => q.key).join(", ")}` : "it takes none"}`);
      } else if (p.type === "choice") {
        if (typeof value !== "string" || !p.options.some((o) => o.value === value)) this.err(at, `must be one of ${p.options.map((o) => `"${o.value}"`).join(", ")}`);
      } else if (typeof value !== "number" || (p.type === "integer" && !Number.isInteger(value)) || value < p.min || value > p.max) {
        this.err(at, `must be ${p.type === "integer" ? "a whole number" : "a number"} between ${p.min} and ${p.max}`);
      }
    }
    const outputs = spec.outputs.map((o) => o.key);
    if (op.output !== undefined && !outputs.includes(op.output)) {
      this.err([...path, "output"], outputs.length === 1 ? `${spec.shortName} has one output, "value"` : `${spec.shortName} has no output ${JSON.stringify(op.output)}: pick one of ${outputs.join(", ")}`);
    } else if (op.output === undefined && outputs.length > 1) {
      this.err([...path, "output"], `${spec.shortName} has several outputs: name one of ${outputs.join(", ")}`);
    }
    if (this.errors.length > before) return undefined;
    // Relations between parameters (MACD's fast < slow) are the class's to know: build it once to ask.
    try {
      createIndicator(op.indicator, params);
    } catch (e) {
      this.err([...path, "params"], e instanceof Error ? e.message : "these parameters do not make a working indicator");
      return undefined;
    }
    const out: IndicatorOperand = { indicator: op.indicator };
    if (op.params !== undefined) out.params = { ...op.params };
    if (op.output !== undefined) out.output = op.output;
    if (op.offset !== undefined) out.offset = op.offset;
    return out;
  }
}

/** Deepest nesting of objects and arrays, without recursion (a hostile document must not overflow the stack here). */
function tooDeep(v: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[v, 0]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== "object" || x === null) continue;
    if (d >= limit) return true;
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push([c, d + 1]);
  }
  return false;
}

/**
 * Checks a rules document (already parsed from JSON). Never throws: every problem comes back as `{ path, message }`,
 * the path naming the field. On success `rules` is a fresh, normalised copy (no unknown fields).
 */
export function parseRules(json: unknown): ParseResult {
  try {
    if (tooDeep(json, MAX_JSON_DEPTH)) return { ok: false, errors: [{ path: "", message: `the document is nested more than ${MAX_JSON_DEPTH} levels deep` }] };
    const w = new Walker();
    const doc = w.document(json);
    if (doc && w.errors.length === 0) return { ok: true, rules: doc };
    return { ok: false, errors: w.errors.length ? w.errors : [{ path: "", message: "the document is not valid" }] };
  } catch {
    // INVARIANT: parseRules never throws. Only a getter or proxy in a hand-built object could get here (JSON cannot).
    return { ok: false, errors: [{ path: "", message: "the document could not be read" }] };
  }
}

/** `parseRules` as a zod schema (for react-hook-form's zodResolver and tRPC inputs): the same errors, at their paths. */
export const rulesDocumentSchema: z.ZodType<RulesDocument, unknown> = z.unknown().transform((v, ctx) => {
  const r = parseRules(v);
  if (r.ok) return r.rules;
  for (const e of r.errors) ctx.issues.push({ code: "custom", message: e.message, path: pathSegments(e.path), input: v });
  return z.NEVER;
});

/** "rules[0].when.all[1]" → ["rules", 0, "when", "all", 1]. */
export function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}
