"use client";

/** `/lab/new?curated=<id>`: a curated library strategy's parameters (within their bounds) and the backtest form. */
import { useState } from "react";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { BacktestForm } from "@/components/lab/backtest-form";

interface Param {
  name: string;
  default: number;
  min: number;
  max: number;
  step: number;
  description: string;
}

export function CuratedBacktest({ entry }: { entry: { id: string; name: string; description: string; params: Param[]; timeframes: string[] } }) {
  const [values, setValues] = useState<Record<string, number>>(Object.fromEntries(entry.params.map((p) => [p.name, p.default])));
  const problems = entry.params.filter((p) => !(values[p.name]! >= p.min && values[p.name]! <= p.max));
  return (
    <>
      <PageHeader title={`Backtest: ${entry.name}`} description={entry.description} />
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <Card>
          <CardHeader title="Parameters" description="A curated strategy is code: you can tune its parameters within their bounds, not its rules." />
          <CardBody className="grid gap-4 sm:grid-cols-2">
            {entry.params.map((p) => {
              const bad = problems.includes(p);
              return (
                <label key={p.name} className="block text-sm">
                  <span className="font-medium text-slate-800">{p.name}</span>
                  <input
                    type="number"
                    min={p.min}
                    max={p.max}
                    step={p.step}
                    aria-invalid={bad || undefined}
                    className={`mt-1 block w-full rounded-md border px-3 py-2 ${bad ? "border-red-500" : "border-slate-300"}`}
                    value={Number.isNaN(values[p.name]) ? "" : values[p.name]}
                    onChange={(e) => setValues({ ...values, [p.name]: e.target.value === "" ? Number.NaN : Number(e.target.value) })}
                  />
                  <span className={`mt-1 block text-xs ${bad ? "text-red-700" : "text-slate-500"}`}>
                    {bad ? `Between ${p.min} and ${p.max}. ` : ""}
                    {p.description}
                  </span>
                </label>
              );
            })}
          </CardBody>
        </Card>
        <Card>
          <CardHeader title="Backtest" description={`Suggested timeframes: ${entry.timeframes.join(", ")}. Hypothetical.`} />
          <CardBody>
            <BacktestForm disabled={problems.length > 0} disabledReason="Fix the parameters first." source={() => ({ kind: "curated", curatedId: entry.id, params: values })} />
          </CardBody>
        </Card>
      </div>
    </>
  );
}
