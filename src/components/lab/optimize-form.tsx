"use client";

/**
 * The optimise form (issue 20): a curated strategy and the range of each of its parameters (its declared bounds,
 * narrowed at will), the search (a grid with its live count of feasible points, or a Bayesian search's trials), the
 * objective and its minimum trades, the market and engine settings as the backtest form has them, and optionally a
 * walk-forward validation. Checked with the shared schema's pieces before sending; the server's refusals land on the
 * same fields (or the section they concern). A started run opens its page.
 */
import { useDeferredValue, useMemo } from "react";
import { useRouter } from "next/navigation";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { OBJECTIVE_LABELS, OBJECTIVES } from "@/lib/optimize/objective";
import { LAB_TIMEFRAMES, MAX_OPTIMIZATION_TRIALS } from "@/lib/validation/lab";
import { Button } from "@/components/ui/button";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Checkbox, FieldError, TextField } from "@/components/ui/field";
import { RadioCard, RadioGroup } from "@/components/ui/radio-group";
import { SelectField } from "@/components/ui/select";
import { messages, setServerErrors } from "@/components/forms/errors";
import { num } from "./format";
import {
  declaredRanges,
  defaultValues,
  gridCount,
  optimizeFormSchema,
  toStartInput,
  type OptimizeFormValues,
  type OptimizeStrategy,
} from "./optimize-form-schema";

const TIMEFRAME_HOURS: Record<string, number> = { "1h": 1, "1d": 24 };
const TIMEFRAME_LABELS: Record<string, string> = { "1h": "1 hour", "1d": "1 day" };

/** A window's length in days, beside its bars (a person thinks in days, the engine in bars). */
const bars = (n: number, tf: string) => (Number.isFinite(n) && n > 0 ? `≈ ${num((n * (TIMEFRAME_HOURS[tf] ?? 1)) / 24, 0)} days of ${tf} bars` : undefined);

export function OptimizeForm({ strategies, initialId }: { strategies: OptimizeStrategy[]; initialId?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const symbols = useQuery(trpc.lab.symbols.queryOptions());
  const list = symbols.data?.symbols ?? [];
  // SMA crossover by default: two parameters, so its results come with a heatmap.
  const first = strategies.find((s) => s.id === initialId) ?? strategies.find((s) => s.id === "sma-cross") ?? strategies[0];
  const schema = useMemo(() => optimizeFormSchema(strategies), [strategies]);
  const form = useForm<OptimizeFormValues>({
    resolver: zodResolver(schema),
    defaultValues: defaultValues(first, list.find((s) => s.symbol === "BTC/USDT")?.symbol ?? list[0]?.symbol ?? ""),
  });
  const { control, register } = form;
  const errors = form.formState.errors;
  const [curatedId, method, walkForward, timeframe, trainBars, testBars] = useWatch({ control, name: ["curatedId", "method", "walkForward", "timeframe", "trainBars", "testBars"] });
  const ranges = useWatch({ control, name: "ranges" });
  const entry = strategies.find((s) => s.id === curatedId);
  const symbol = useWatch({ control, name: "symbol" }) || list.find((s) => s.symbol === "BTC/USDT")?.symbol || list[0]?.symbol || "";
  const timeframes = list.find((s) => s.symbol === symbol)?.timeframes ?? LAB_TIMEFRAMES;

  // The count follows the ranges a beat behind the keyboard: a large grid takes a moment to enumerate.
  const rangesKey = useDeferredValue(JSON.stringify(ranges));
  const count = useMemo(() => (entry ? gridCount(entry, JSON.parse(rangesKey) as OptimizeFormValues["ranges"]) : null), [entry, rangesKey]);
  const points = count ? (count.feasible ?? count.raw) : null;
  const tooMany = points !== null && points > MAX_OPTIMIZATION_TRIALS;

  const start = useMutation(
    trpc.lab.optimizations.start.mutationOptions({
      onSuccess: (run) => router.push(`/lab/optimize/${run.id}`),
      onError: (err) => {
        const fields = serverFieldErrors(err);
        let placed = setServerErrors(form.setError, fields, ["curatedId", "method", "trials", "objective", "minTrades", "symbol", "timeframe", "from", "to"]);
        for (const group of ["ranges", "walkForward", "settings"] as const) {
          const message = fields[group]?.[0];
          if (message) {
            form.setError(`root.${group}`, { type: "server", message });
            placed = true;
          }
        }
        if (!placed) form.setError("root.server", { type: "server", message: err.message });
      },
    }),
  );

  const submit = form.handleSubmit((v) => {
    if (!entry) return;
    if (v.method === "grid" && tooMany) {
      form.setError("root.ranges", { type: "client", message: `That grid has ${num(points, 0)} points; at most ${num(MAX_OPTIMIZATION_TRIALS, 0)}. Narrow the ranges, use larger steps, or choose the Bayesian search.` });
      return;
    }
    if (!(v.symbol || symbol)) {
      form.setError("symbol", { type: "client", message: "Choose a market" });
      return;
    }
    const tf = timeframes.includes(v.timeframe) ? v.timeframe : timeframes[0]!;
    start.mutate(toStartInput({ ...v, symbol: v.symbol || symbol, timeframe: tf }, entry));
  });

  return (
    <form onSubmit={submit} noValidate className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]" data-testid="optimize-form">
      <div className="min-w-0 space-y-6">
        <Card>
          <CardHeader title="Strategy and parameter ranges" description="A curated strategy is code: the optimiser searches its parameters, never its rules. Narrow a range to search less." />
          <CardBody className="space-y-5">
            <div>
              <Controller
                control={control}
                name="curatedId"
                render={({ field }) => (
                  <SelectField
                    label="Strategy"
                    options={strategies.map((s) => ({ value: s.id, label: s.name }))}
                    value={field.value}
                    onValueChange={(id) => {
                      field.onChange(id);
                      form.setValue("ranges", declaredRanges(strategies.find((s) => s.id === id)));
                      form.clearErrors("root.ranges");
                    }}
                    aria-invalid={Boolean(errors.curatedId)}
                  />
                )}
              />
              <FieldError id="curated-error" messages={messages(errors.curatedId)} />
              {entry ? <p className="mt-2 text-sm text-slate-600">{entry.description}</p> : null}
            </div>
            <div className="space-y-4" key={curatedId} data-testid="parameter-ranges">
              {entry?.params.map((p) => {
                const e = errors.ranges?.[p.name];
                return (
                  <fieldset key={p.name} className="rounded-md border border-slate-200 px-4 pt-2 pb-4">
                    <legend className="px-1 font-mono text-sm font-semibold text-slate-900">{p.name}</legend>
                    <p className="text-xs text-slate-600">
                      {p.description} <span className="text-slate-500">Declared {p.min} to {p.max}, step {p.step}; default {p.default}.</span>
                    </p>
                    <div className="mt-3 grid grid-cols-3 gap-3">
                      <TextField label="Min" type="number" inputMode="decimal" min={p.min} max={p.max} step="any" {...register(`ranges.${p.name}.min`, { valueAsNumber: true })} errors={messages(e?.min)} />
                      <TextField label="Max" type="number" inputMode="decimal" min={p.min} max={p.max} step="any" {...register(`ranges.${p.name}.max`, { valueAsNumber: true })} errors={messages(e?.max)} />
                      <TextField label="Step" type="number" inputMode="decimal" min={0} step="any" {...register(`ranges.${p.name}.step`, { valueAsNumber: true })} errors={messages(e?.step)} />
                    </div>
                  </fieldset>
                );
              })}
              {entry?.constraints.length ? (
                <p className="text-xs text-slate-500">Constraint: {entry.constraints.map((c) => `${c.a} ${c.op} ${c.b}`).join(", ")}. Points that break it are never tried.</p>
              ) : null}
            </div>
            {errors.root?.ranges?.message ? <Alert tone="error">{errors.root.ranges.message}</Alert> : null}
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Search" description="Each trial is one full backtest of the strategy with one set of parameters." />
          <CardBody className="space-y-5">
            <fieldset>
              <legend id="method-legend" className="text-sm font-medium text-slate-800">
                Search method
              </legend>
              <Controller
                control={control}
                name="method"
                render={({ field }) => (
                  <RadioGroup aria-labelledby="method-legend" value={field.value} onValueChange={field.onChange} className="mt-2 gap-2 sm:grid-cols-2">
                    <RadioCard value="grid" id="method-grid">
                      <span className="font-medium text-slate-900">Grid</span>
                      <span className="block text-xs text-slate-600">Every point of the ranges, on their steps. Exhaustive; best for two or three parameters.</span>
                    </RadioCard>
                    <RadioCard value="bayes" id="method-bayes">
                      <span className="font-medium text-slate-900">Bayesian</span>
                      <span className="block text-xs text-slate-600">A fixed number of trials, each chosen from what the earlier ones found. For large spaces.</span>
                    </RadioCard>
                  </RadioGroup>
                )}
              />
              <FieldError id="method-error" messages={messages(errors.method)} />
            </fieldset>
            {method === "grid" ? (
              <div className="space-y-2">
                <p className="text-sm text-slate-700" aria-live="polite" data-testid="grid-count">
                  {count === null ? (
                    "Fix the ranges to count the grid."
                  ) : count.feasible === null ? (
                    <>
                      Up to <strong className="tabular-nums">{num(count.raw, 0)}</strong> points on this grid: too many to count the ones the constraints allow.
                    </>
                  ) : (
                    <>
                      <strong className="tabular-nums">{num(count.feasible, 0)}</strong> grid point{count.feasible === 1 ? "" : "s"} satisfy the constraints
                      {count.raw !== count.feasible ? ` (of ${num(count.raw, 0)} on the grid)` : ""}: {count.feasible === 1 ? "one trial" : `${num(count.feasible, 0)} trials`}
                      {walkForward ? " per walk-forward window" : ""}.
                    </>
                  )}
                </p>
                {tooMany ? (
                  <Alert tone="warning">
                    More than {num(MAX_OPTIMIZATION_TRIALS, 0)} points: the lab runs at most {num(MAX_OPTIMIZATION_TRIALS, 0)} trials. Narrow the ranges, use larger steps, or choose the Bayesian search.
                  </Alert>
                ) : null}
              </div>
            ) : (
              <TextField
                label="Trials"
                type="number"
                inputMode="numeric"
                min={10}
                max={MAX_OPTIMIZATION_TRIALS}
                step={1}
                hint={`Backtests to run, 10 to ${num(MAX_OPTIMIZATION_TRIALS, 0)}.`}
                {...register("trials", { valueAsNumber: true })}
                errors={messages(errors.trials)}
              />
            )}
            <div className="grid gap-4 sm:grid-cols-2">
              <div>
                <Controller
                  control={control}
                  name="objective"
                  render={({ field }) => (
                    <SelectField label="Objective" options={OBJECTIVES.map((o) => ({ value: o, label: OBJECTIVE_LABELS[o] }))} value={field.value} onValueChange={field.onChange} aria-invalid={Boolean(errors.objective)} />
                  )}
                />
                {errors.objective ? <FieldError id="objective-error" messages={messages(errors.objective)} /> : <p className="mt-1 text-xs text-slate-500">What the search maximises, by backtesting.py&rsquo;s definitions.</p>}
              </div>
              <TextField
                label="Minimum trades"
                type="number"
                inputMode="numeric"
                min={0}
                step={1}
                hint="A trial with fewer trades does not count: a ratio over three trades is luck."
                {...register("minTrades", { valueAsNumber: true })}
                errors={messages(errors.minTrades)}
              />
            </div>
          </CardBody>
        </Card>

        <Card>
          <CardHeader title="Walk-forward validation" description="Optional: judge the optimisation on data it never saw." />
          <CardBody className="space-y-4">
            <Checkbox
              {...register("walkForward")}
              label={
                <>
                  <span className="font-medium text-slate-900">Walk-forward validation</span>
                  <span className="block text-slate-600">
                    Optimise on a training window, trade the best parameters on the test window after it, step forward and repeat; the test windows stitched together show what the optimisation is worth out of sample.
                  </span>
                </>
              }
            />
            {walkForward ? (
              <div className="space-y-4 border-t border-slate-100 pt-4" data-testid="walk-forward-settings">
                <fieldset>
                  <legend id="wf-mode-legend" className="text-sm font-medium text-slate-800">
                    Windows
                  </legend>
                  <Controller
                    control={control}
                    name="wfMode"
                    render={({ field }) => (
                      <RadioGroup aria-labelledby="wf-mode-legend" value={field.value} onValueChange={field.onChange} className="mt-2 gap-2 sm:grid-cols-2">
                        <RadioCard value="rolling" id="wf-rolling">
                          <span className="font-medium text-slate-900">Rolling</span>
                          <span className="block text-xs text-slate-600">The training window keeps its length and slides forward.</span>
                        </RadioCard>
                        <RadioCard value="anchored" id="wf-anchored">
                          <span className="font-medium text-slate-900">Anchored</span>
                          <span className="block text-xs text-slate-600">Every training window starts at the first bar and grows.</span>
                        </RadioCard>
                      </RadioGroup>
                    )}
                  />
                  <FieldError id="wf-mode-error" messages={messages(errors.wfMode)} />
                </fieldset>
                <div className="grid gap-4 sm:grid-cols-2">
                  <TextField label="Training bars" type="number" inputMode="numeric" min={50} step={1} hint={bars(trainBars, timeframe)} {...register("trainBars", { valueAsNumber: true })} errors={messages(errors.trainBars)} />
                  <TextField label="Test bars" type="number" inputMode="numeric" min={10} step={1} hint={bars(testBars, timeframe)} {...register("testBars", { valueAsNumber: true })} errors={messages(errors.testBars)} />
                </div>
                <p className="text-xs text-slate-500">At most 30 windows: the test windows must cover the data after the first training window.</p>
              </div>
            ) : null}
            {errors.root?.walkForward?.message ? <Alert tone="error">{errors.root.walkForward.message}</Alert> : null}
          </CardBody>
        </Card>
      </div>

      <Card className="lg:sticky lg:top-6">
        <CardHeader title="Market and data" description="Recorded prices; results are hypothetical." />
        <CardBody className="space-y-4">
          <div className="grid grid-cols-2 gap-3">
            <div>
              <Controller
                control={control}
                name="symbol"
                render={({ field }) => (
                  <SelectField
                    label="Market"
                    options={list.map((s) => ({ value: s.symbol, label: s.symbol }))}
                    value={field.value || symbol}
                    onValueChange={field.onChange}
                    disabled={list.length === 0}
                    aria-invalid={Boolean(errors.symbol)}
                  />
                )}
              />
              <FieldError id="symbol-error" messages={messages(errors.symbol)} />
            </div>
            <div>
              <Controller
                control={control}
                name="timeframe"
                render={({ field }) => (
                  <SelectField
                    label="Timeframe"
                    options={timeframes.map((tf) => ({ value: tf, label: TIMEFRAME_LABELS[tf] ?? tf }))}
                    value={timeframes.includes(field.value) ? field.value : timeframes[0]!}
                    onValueChange={field.onChange}
                    aria-invalid={Boolean(errors.timeframe)}
                  />
                )}
              />
              <FieldError id="timeframe-error" messages={messages(errors.timeframe)} />
            </div>
            <TextField label="From (optional)" type="date" hint="Default: all history" {...register("from")} errors={messages(errors.from)} />
            <TextField label="To (optional)" type="date" {...register("to")} errors={messages(errors.to)} />
          </div>
          <details className="rounded-md border border-slate-200 px-3 py-2 text-sm" open={Boolean(errors.cash || errors.commissionPct || errors.slippageBps || errors.sizingValue || errors.root?.settings) || undefined}>
            <summary className="cursor-pointer font-medium text-slate-800">Settings: cash, commission, slippage, sizing</summary>
            <div className="mt-3 grid grid-cols-2 gap-3">
              <TextField label="Starting cash" type="number" step="any" {...register("cash", { valueAsNumber: true })} errors={messages(errors.cash)} />
              <TextField label="Commission % per side" type="number" step="any" {...register("commissionPct", { valueAsNumber: true })} errors={messages(errors.commissionPct)} />
              <TextField label="Slippage (bps)" type="number" step="any" {...register("slippageBps", { valueAsNumber: true })} errors={messages(errors.slippageBps)} />
              <Controller
                control={control}
                name="sizingMode"
                render={({ field }) => (
                  <SelectField
                    label="Sizing"
                    options={[
                      { value: "fraction", label: "Share of equity" },
                      { value: "quantity", label: "Fixed quantity" },
                      { value: "risk", label: "Risk per trade (share)" },
                    ]}
                    value={field.value}
                    onValueChange={field.onChange}
                  />
                )}
              />
              <TextField label="Size" type="number" step="any" {...register("sizingValue", { valueAsNumber: true })} errors={messages(errors.sizingValue)} />
            </div>
            {errors.root?.settings?.message ? <Alert tone="error" className="mt-3">{errors.root.settings.message}</Alert> : null}
          </details>
          {errors.root?.server?.message ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
          {Object.keys(errors).some((k) => k !== "root") ? <p className="text-sm text-red-700">Some fields need fixing: see the messages above.</p> : null}
          <Button type="submit" className="w-full" loading={start.isPending} disabled={!symbol || !entry} data-testid="start-optimization">
            {start.isPending ? "Starting…" : walkForward ? "Start walk-forward" : "Start optimisation"}
          </Button>
          <p className="text-xs text-slate-500">Runs off the request thread; you can leave the page and come back. One optimisation at a time per account.</p>
        </CardBody>
      </Card>
    </form>
  );
}
