"use client";

/**
 * The visual rule builder (issue 19): edits a rules document (src/lib/rules) as forms — rules of conditions over
 * indicators (from the indicator registry, with their parameters and outputs), prices and constants, nested AND/OR
 * groups and an action each. Every change goes up as a whole new document; the parent validates it with parseRules
 * and hands back the errors by path, which each control shows under itself.
 */
import { INDICATORS, INDICATOR_IDS, type IndicatorSpec } from "@/lib/indicators";
import { MAX_GROUP_DEPTH, OPS, PRICE_FIELDS, type Action, type Condition, type Operand, type Rule, type RuleNode, type RulesDocument } from "@/lib/rules";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

export type ErrorsByPath = ReadonlyMap<string, string[]>;

const control = "max-w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none";
const OP_LABEL: Record<(typeof OPS)[number], string> = {
  "==": "equals",
  "!=": "differs from",
  "<": "is below",
  ">": "is above",
  "<=": "is at most",
  ">=": "is at least",
  crosses_above: "crosses above",
  crosses_below: "crosses below",
};
const ACTION_LABEL: Record<Action["type"], string> = { enter_long: "Enter long", enter_short: "Enter short", exit: "Exit", move_stop: "Move stop" };

export const newCondition = (): Condition => ({ left: { indicator: "sma", params: { period: 10 } }, op: "crosses_above", right: { indicator: "sma", params: { period: 20 } } });
export const newRule = (): Rule => ({ when: newCondition(), then: { type: "enter_long" } });

/** Errors at exactly this path. */
function Errors({ errors, path }: { errors: ErrorsByPath; path: string }) {
  const list = errors.get(path);
  if (!list?.length) return null;
  return (
    <p className="mt-1 text-xs text-red-700" role="alert" data-path={path}>
      {list.join("; ")}
    </p>
  );
}

const hasError = (errors: ErrorsByPath, path: string) => Boolean(errors.get(path)?.length);
const numberOf = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));

function NumberInput({ value, onChange, label, className, step = "any", invalid }: { value: number | undefined; onChange: (v: number) => void; label: string; className?: string; step?: string; invalid?: boolean }) {
  return (
    <input
      type="number"
      inputMode="decimal"
      step={step}
      aria-label={label}
      aria-invalid={invalid || undefined}
      className={cn(control, "w-24", invalid && "border-red-500", className)}
      value={value === undefined || Number.isNaN(value) ? "" : value}
      onChange={(e) => onChange(numberOf(e.target.value))}
    />
  );
}

function OperandEditor({ operand, onChange, path, errors, side }: { operand: Operand; onChange: (o: Operand) => void; path: string; errors: ErrorsByPath; side: string }) {
  const kind = "indicator" in operand ? "indicator" : "price" in operand ? "price" : "const";
  const spec: IndicatorSpec | undefined = "indicator" in operand ? (INDICATORS as Record<string, IndicatorSpec>)[operand.indicator] : undefined;
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      <select
        aria-label={`${side}: kind`}
        className={control}
        value={kind}
        onChange={(e) => {
          const k = e.target.value;
          onChange(k === "indicator" ? { indicator: "sma", params: { period: 20 } } : k === "price" ? { price: "close" } : { const: 0 });
        }}
      >
        <option value="indicator">Indicator</option>
        <option value="price">Price</option>
        <option value="const">Number</option>
      </select>
      {"indicator" in operand ? (
        <>
          <select
            aria-label={`${side}: indicator`}
            className={cn(control, hasError(errors, `${path}.indicator`) && "border-red-500")}
            value={operand.indicator}
            onChange={(e) => {
              const next = (INDICATORS as Record<string, IndicatorSpec>)[e.target.value]!;
              onChange({ indicator: next.id, params: Object.fromEntries(next.params.map((p) => [p.key, p.default])) });
            }}
          >
            {INDICATOR_IDS.map((id) => (
              <option key={id} value={id}>
                {INDICATORS[id].shortName} — {INDICATORS[id].name}
              </option>
            ))}
          </select>
          {spec?.params.map((p) =>
            p.type === "choice" ? (
              <select
                key={p.key}
                aria-label={`${side}: ${p.label}`}
                className={control}
                value={String(operand.params?.[p.key] ?? p.default)}
                onChange={(e) => onChange({ ...operand, params: { ...operand.params, [p.key]: e.target.value } })}
              >
                {p.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <label key={p.key} className="flex items-center gap-1 text-xs text-slate-600">
                {p.label}
                <NumberInput
                  label={`${side}: ${p.label}`}
                  className="w-20"
                  step={p.type === "integer" ? "1" : "any"}
                  invalid={hasError(errors, `${path}.params.${p.key}`)}
                  value={operand.params?.[p.key] as number | undefined ?? p.default}
                  onChange={(v) => onChange({ ...operand, params: { ...operand.params, [p.key]: v } })}
                />
              </label>
            ),
          )}
          {spec && spec.outputs.length > 1 ? (
            <select
              aria-label={`${side}: output`}
              className={control}
              value={operand.output ?? spec.outputs[0]!.key}
              onChange={(e) => onChange({ ...operand, output: e.target.value })}
            >
              {spec.outputs.map((o) => (
                <option key={o.key} value={o.key}>
                  {o.label}
                </option>
              ))}
            </select>
          ) : null}
        </>
      ) : null}
      {"price" in operand ? (
        <select aria-label={`${side}: price`} className={control} value={operand.price} onChange={(e) => onChange({ ...operand, price: e.target.value as (typeof PRICE_FIELDS)[number] })}>
          {PRICE_FIELDS.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
      ) : null}
      {"const" in operand ? <NumberInput label={`${side}: number`} invalid={hasError(errors, `${path}.const`)} value={operand.const} onChange={(v) => onChange({ const: v })} /> : null}
      {kind !== "const" ? (
        <label className="flex items-center gap-1 text-xs text-slate-600" title="Bars back: 0 is the last closed bar">
          bars ago
          <NumberInput
            label={`${side}: bars ago`}
            className="w-16"
            step="1"
            invalid={hasError(errors, `${path}.offset`)}
            value={(operand as { offset?: number }).offset ?? 0}
            onChange={(v) => onChange({ ...operand, offset: v === 0 ? undefined : v } as Operand)}
          />
        </label>
      ) : null}
      <div className="basis-full">
        <Errors errors={errors} path={path} />
        <Errors errors={errors} path={`${path}.indicator`} />
        {spec?.params.map((p) => <Errors key={p.key} errors={errors} path={`${path}.params.${p.key}`} />)}
        <Errors errors={errors} path={`${path}.output`} />
        <Errors errors={errors} path={`${path}.offset`} />
        <Errors errors={errors} path={`${path}.const`} />
      </div>
    </div>
  );
}

function ConditionEditor({ cond, onChange, path, errors }: { cond: Condition; onChange: (c: Condition) => void; path: string; errors: ErrorsByPath }) {
  return (
    <div className="space-y-1.5">
      <OperandEditor side="Left" operand={cond.left} onChange={(left) => onChange({ ...cond, left })} path={`${path}.left`} errors={errors} />
      <select aria-label="Comparison" className={cn(control, "font-medium")} value={cond.op} onChange={(e) => onChange({ ...cond, op: e.target.value as Condition["op"] })}>
        {OPS.map((op) => (
          <option key={op} value={op}>
            {OP_LABEL[op]} ({op})
          </option>
        ))}
      </select>
      <Errors errors={errors} path={`${path}.op`} />
      <OperandEditor side="Right" operand={cond.right} onChange={(right) => onChange({ ...cond, right })} path={`${path}.right`} errors={errors} />
    </div>
  );
}

function NodeEditor({ node, onChange, onRemove, path, errors, depth }: { node: RuleNode; onChange: (n: RuleNode) => void; onRemove?: () => void; path: string; errors: ErrorsByPath; depth: number }) {
  if ("left" in node) {
    return (
      <div className="rounded-md border border-slate-200 bg-white p-3" data-testid="condition">
        <ConditionEditor cond={node} onChange={onChange} path={path} errors={errors} />
        <div className="mt-2 flex flex-wrap gap-2">
          {depth < MAX_GROUP_DEPTH ? (
            <Button type="button" variant="ghost" size="sm" onClick={() => onChange({ all: [node, newCondition()] })}>
              Add AND condition
            </Button>
          ) : null}
          {onRemove ? (
            <Button type="button" variant="ghost" size="sm" onClick={onRemove}>
              Remove
            </Button>
          ) : null}
        </div>
        <Errors errors={errors} path={path} />
      </div>
    );
  }
  const mode = "all" in node ? "all" : "any";
  const children = "all" in node ? node.all : node.any;
  const set = (list: RuleNode[]) => onChange(mode === "all" ? { all: list } : { any: list });
  return (
    <div className={cn("rounded-md border-l-4 p-3", mode === "all" ? "border-brand-600 bg-brand-50/40" : "border-amber-500 bg-amber-50/40")} data-testid="group">
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <select aria-label="Group type" className={cn(control, "font-semibold")} value={mode} onChange={(e) => onChange(e.target.value === "all" ? { all: children } : { any: children })}>
          <option value="all">ALL of (AND)</option>
          <option value="any">ANY of (OR)</option>
        </select>
        {onRemove ? (
          <Button type="button" variant="ghost" size="sm" onClick={onRemove}>
            Remove group
          </Button>
        ) : null}
      </div>
      <div className="space-y-2">
        {children.map((child, i) => (
          <NodeEditor
            key={i}
            node={child}
            depth={depth + 1}
            path={`${path}.${mode}[${i}]`}
            errors={errors}
            onChange={(n) => set(children.map((c, j) => (j === i ? n : c)))}
            onRemove={children.length > 1 ? () => set(children.filter((_, j) => j !== i)) : undefined}
          />
        ))}
      </div>
      <div className="mt-2 flex flex-wrap gap-2">
        <Button type="button" variant="secondary" size="sm" onClick={() => set([...children, newCondition()])}>
          Add condition
        </Button>
        {depth + 1 < MAX_GROUP_DEPTH ? (
          <Button type="button" variant="secondary" size="sm" onClick={() => set([...children, mode === "all" ? { any: [newCondition()] } : { all: [newCondition()] }])}>
            Add {mode === "all" ? "OR" : "AND"} group
          </Button>
        ) : null}
      </div>
      <Errors errors={errors} path={path} />
      <Errors errors={errors} path={`${path}.${mode}`} />
    </div>
  );
}

function ActionEditor({ action, onChange, path, errors }: { action: Action; onChange: (a: Action) => void; path: string; errors: ErrorsByPath }) {
  const stop = action.type === "move_stop" ? action.stop : null;
  const stopKind = stop === "breakeven" ? "breakeven" : stop && "atr" in stop ? "atr" : "percent";
  return (
    <div className="flex flex-wrap items-center gap-2">
      <span className="text-sm font-medium text-slate-700">Then</span>
      <select
        aria-label="Action"
        className={cn(control, "font-medium")}
        value={action.type}
        onChange={(e) => {
          const t = e.target.value as Action["type"];
          onChange(t === "move_stop" ? { type: "move_stop", stop: { percent: 2 } } : { type: t } as Action);
        }}
      >
        {Object.entries(ACTION_LABEL).map(([k, label]) => (
          <option key={k} value={k}>
            {label}
          </option>
        ))}
      </select>
      {action.type === "move_stop" ? (
        <>
          <select
            aria-label="Stop kind"
            className={control}
            value={stopKind}
            onChange={(e) => onChange({ type: "move_stop", stop: e.target.value === "breakeven" ? "breakeven" : e.target.value === "atr" ? { atr: 2 } : { percent: 2 } })}
          >
            <option value="percent">% below/above the close</option>
            <option value="atr">× ATR from the close</option>
            <option value="breakeven">to break-even</option>
          </select>
          {stop !== "breakeven" && stop ? (
            <NumberInput
              label="Stop distance"
              invalid={hasError(errors, `${path}.stop.${stopKind}`)}
              value={"atr" in stop ? stop.atr : stop.percent}
              onChange={(v) => onChange({ type: "move_stop", stop: stopKind === "atr" ? { atr: v } : { percent: v } })}
            />
          ) : null}
        </>
      ) : null}
      <div className="basis-full">
        <Errors errors={errors} path={path} />
        <Errors errors={errors} path={`${path}.type`} />
        <Errors errors={errors} path={`${path}.stop`} />
        <Errors errors={errors} path={`${path}.stop.${stopKind}`} />
      </div>
    </div>
  );
}

/** The rules of a document: each a condition tree and an action; add, remove, reorder-free (the first that holds wins a bar). */
export function RulesEditor({ doc, onChange, errors }: { doc: RulesDocument; onChange: (d: RulesDocument) => void; errors: ErrorsByPath }) {
  const setRule = (i: number, r: Rule) => onChange({ ...doc, rules: doc.rules.map((x, j) => (j === i ? r : x)) });
  return (
    <div className="space-y-4">
      {doc.rules.map((rule, i) => (
        <section key={i} className="rounded-lg border border-slate-200 bg-slate-50 p-3 sm:p-4" aria-label={`Rule ${i + 1}`} data-testid="rule">
          <div className="mb-2 flex items-center justify-between">
            <h3 className="text-sm font-semibold text-slate-800">Rule {i + 1}: when</h3>
            <Button type="button" variant="ghost" size="sm" onClick={() => onChange({ ...doc, rules: doc.rules.filter((_, j) => j !== i) })}>
              Remove rule
            </Button>
          </div>
          <NodeEditor node={rule.when} depth={0} path={`rules[${i}].when`} errors={errors} onChange={(when) => setRule(i, { ...rule, when })} />
          {"left" in rule.when ? (
            <div className="mt-2 flex gap-2">
              <Button type="button" variant="ghost" size="sm" onClick={() => setRule(i, { ...rule, when: { any: [rule.when, newCondition()] } })}>
                Add OR condition
              </Button>
            </div>
          ) : null}
          <div className="mt-3">
            <ActionEditor action={rule.then} path={`rules[${i}].then`} errors={errors} onChange={(then) => setRule(i, { ...rule, then })} />
          </div>
          <Errors errors={errors} path={`rules[${i}]`} />
        </section>
      ))}
      <Errors errors={errors} path="rules" />
      <Button type="button" variant="secondary" onClick={() => onChange({ ...doc, rules: [...doc.rules, newRule()] })}>
        Add rule
      </Button>
    </div>
  );
}
