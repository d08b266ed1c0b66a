"use client";

/** The risk part of a rules document: stop-loss, take-profit targets (each a share of the position) and size. */
import type { Risk, RulesDocument, Target } from "@/lib/rules";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { ErrorsByPath } from "./rule-builder";

const control = "max-w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-900 focus:border-brand-600 focus:outline-none";
const num = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));
const shown = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? "" : v);

function Err({ errors, path }: { errors: ErrorsByPath; path: string }) {
  const list = errors.get(path);
  return list?.length ? (
    <p className="mt-1 text-xs text-red-700" role="alert" data-path={path}>
      {list.join("; ")}
    </p>
  ) : null;
}

type TargetKind = "percent" | "atr" | "r";
const targetKind = (t: Target): TargetKind => ("percent" in t ? "percent" : "atr" in t ? "atr" : "r");
const targetValue = (t: Target) => ("percent" in t ? t.percent : "atr" in t ? t.atr : t.r);

export function RiskEditor({ doc, onChange, errors }: { doc: RulesDocument; onChange: (d: RulesDocument) => void; errors: ErrorsByPath }) {
  const risk: Risk = doc.risk ?? {};
  const set = (r: Risk) => {
    const clean = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Risk;
    onChange({ ...doc, risk: Object.keys(clean).length ? clean : undefined });
  };
  const stopKind = !risk.stop ? "none" : "atr" in risk.stop ? "atr" : "percent";
  const sizeKind = !risk.size ? "none" : "fraction" in risk.size ? "fraction" : "quantity" in risk.size ? "quantity" : "riskPercent";
  const targets = risk.targets ?? [];
  return (
    <div className="space-y-4 text-sm">
      <div>
        <label className="block font-medium text-slate-800" htmlFor="risk-stop">Stop-loss</label>
        <div className="mt-1 flex flex-wrap gap-2">
          <select id="risk-stop" className={control} value={stopKind} onChange={(e) => set({ ...risk, stop: e.target.value === "none" ? undefined : e.target.value === "atr" ? { atr: 2 } : { percent: 3 } })}>
            <option value="none">None</option>
            <option value="percent">% from entry</option>
            <option value="atr">× ATR from entry</option>
          </select>
          {risk.stop ? (
            <input
              type="number"
              step="any"
              aria-label="Stop-loss distance"
              className={cn(control, "w-24")}
              value={shown("atr" in risk.stop ? risk.stop.atr : risk.stop.percent)}
              onChange={(e) => set({ ...risk, stop: stopKind === "atr" ? { atr: num(e.target.value) } : { percent: num(e.target.value) } })}
            />
          ) : null}
        </div>
        <Err errors={errors} path="risk.stop" />
        <Err errors={errors} path={`risk.stop.${stopKind}`} />
      </div>

      <div>
        <p className="font-medium text-slate-800">Take-profit targets</p>
        <ul className="mt-1 space-y-2">
          {targets.map((t, i) => (
            <li key={i} className="flex flex-wrap items-center gap-2">
              <select
                aria-label={`Target ${i + 1} kind`}
                className={control}
                value={targetKind(t)}
                onChange={(e) => {
                  const k = e.target.value as TargetKind;
                  const v = targetValue(t);
                  const next = { [k]: v, share: t.share } as Target;
                  set({ ...risk, targets: targets.map((x, j) => (j === i ? next : x)) });
                }}
              >
                <option value="percent">% from entry</option>
                <option value="atr">× ATR</option>
                <option value="r">× risk (R)</option>
              </select>
              <input type="number" step="any" aria-label={`Target ${i + 1} distance`} className={cn(control, "w-20")} value={shown(targetValue(t))}
                onChange={(e) => set({ ...risk, targets: targets.map((x, j) => (j === i ? ({ [targetKind(t)]: num(e.target.value), share: t.share } as Target) : x)) })} />
              <label className="flex items-center gap-1 text-xs text-slate-600">
                share
                <input type="number" step="0.05" aria-label={`Target ${i + 1} share`} className={cn(control, "w-20")} value={shown(t.share)}
                  onChange={(e) => set({ ...risk, targets: targets.map((x, j) => (j === i ? { ...x, share: num(e.target.value) } : x)) })} />
              </label>
              <Button type="button" variant="ghost" size="sm" onClick={() => set({ ...risk, targets: targets.length > 1 ? targets.filter((_, j) => j !== i) : undefined })}>
                Remove
              </Button>
              <div className="basis-full">
                <Err errors={errors} path={`risk.targets[${i}]`} />
                <Err errors={errors} path={`risk.targets[${i}].${targetKind(t)}`} />
                <Err errors={errors} path={`risk.targets[${i}].share`} />
              </div>
            </li>
          ))}
        </ul>
        <Err errors={errors} path="risk.targets" />
        <Button type="button" variant="secondary" size="sm" className="mt-2" onClick={() => set({ ...risk, targets: [...targets, { percent: 5, share: targets.length ? 0.5 : 1 }] })}>
          Add target
        </Button>
      </div>

      <div>
        <label className="block font-medium text-slate-800" htmlFor="risk-size">Position size</label>
        <div className="mt-1 flex flex-wrap gap-2">
          <select
            id="risk-size"
            className={control}
            value={sizeKind}
            onChange={(e) => {
              const k = e.target.value;
              set({ ...risk, size: k === "none" ? undefined : k === "fraction" ? { fraction: 1 } : k === "quantity" ? { quantity: 1 } : { riskPercent: 1 } });
            }}
          >
            <option value="none">Backtest setting</option>
            <option value="fraction">Share of equity (0–1)</option>
            <option value="quantity">Fixed quantity</option>
            <option value="riskPercent">Risk % of equity (needs a stop)</option>
          </select>
          {risk.size ? (
            <input
              type="number"
              step="any"
              aria-label="Size value"
              className={cn(control, "w-24")}
              value={shown("fraction" in risk.size ? risk.size.fraction : "quantity" in risk.size ? risk.size.quantity : risk.size.riskPercent)}
              onChange={(e) => set({ ...risk, size: { [sizeKind]: num(e.target.value) } as Risk["size"] })}
            />
          ) : null}
        </div>
        <Err errors={errors} path="risk.size" />
        <Err errors={errors} path={`risk.size.${sizeKind}`} />
        <Err errors={errors} path="risk" />
      </div>
    </div>
  );
}
