"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useState, type FormEvent } from "react";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button, ButtonLink } from "@/components/ui/button";
import { Checkbox, TextField } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select";
import { INCUBATION_DAYS } from "@/lib/strategy-runs";
import { TIMEFRAMES } from "@/lib/market-data/types";
import { startRunSchema } from "@/lib/validation/strategy-runs";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useTRPC } from "@/trpc/react";

export interface CuratedChoice {
  id: string;
  name: string;
  description: string;
  params: { name: string; default: number; min: number; max: number; step: number; description: string }[];
}
export interface OwnChoice {
  id: string;
  name: string;
  version: number;
}

/** "trendPeriod" → "Trend period": parameter names as labels. */
const labelOf = (name: string) => name.replace(/([A-Z])/g, " $1").replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])/g, (_, c: string) => ` ${c.toLowerCase()}`);

const TIMEFRAME_LABELS: Record<string, string> = { "1m": "1 minute", "1h": "1 hour", "1d": "1 day" };

/**
 * The start form: a curated strategy (with its parameters) or one of the user's saved rule strategies, a market and
 * timeframe, the daily limits, and the confirmation without which nothing starts. Checked with the router's own
 * schema before sending; the server's refusals land on the same fields.
 */
export function StartRunForm({ curated, own, symbols, initialSource }: { curated: CuratedChoice[]; own: OwnChoice[]; symbols: { symbol: string; market: string }[]; initialSource: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [source, setSource] = useState(initialSource);
  const [params, setParams] = useState<Record<string, string>>({});
  const [symbol, setSymbol] = useState(symbols.find((s) => s.symbol === "BTC/USDT")?.symbol ?? symbols[0]?.symbol ?? "");
  const [timeframe, setTimeframe] = useState("1h");
  const [name, setName] = useState("");
  const [lossPct, setLossPct] = useState("5");
  const [trades, setTrades] = useState("10");
  const [confirmed, setConfirmed] = useState(false);
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const start = useMutation(
    trpc.strategyRuns.start.mutationOptions({
      onSuccess: () => router.push("/lab/runs"),
      onError: (err) => setErrors(serverFieldErrors(err)),
    }),
  );

  const [kind, id] = source.split(":") as ["curated" | "own", string];
  const entry = kind === "curated" ? curated.find((c) => c.id === id) : undefined;
  const sourceOptions = useMemo(
    () => [
      ...curated.map((c) => ({ value: `curated:${c.id}`, label: `${c.name} (curated)` })),
      ...own.map((s) => ({ value: `own:${s.id}`, label: `${s.name} (my rules, v${s.version})` })),
    ],
    [curated, own],
  );

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const values: Record<string, number> = {};
    for (const p of entry?.params ?? []) if (params[p.name] !== undefined && params[p.name] !== "") values[p.name] = Number(params[p.name]);
    const loss = Number(lossPct);
    const input = {
      source: kind === "curated" ? { kind, curatedId: id, params: values } : { kind, strategyId: id },
      ...(name.trim() ? { name: name.trim() } : {}),
      symbol,
      timeframe,
      maxDailyLoss: Number.isFinite(loss) ? String(Number((loss / 100).toFixed(4))) : lossPct,
      maxTradesPerDay: Number(trades),
      confirm: confirmed,
    };
    const parsed = startRunSchema.safeParse(input);
    if (!parsed.success) {
      const fields = fieldErrorsFromZod(parsed.error);
      setErrors(fields);
      return;
    }
    setErrors({});
    start.mutate(parsed.data);
  };

  const err = (k: string) => errors[k] ?? null;
  const paramErrors = errors["params"] ?? errors["source.params"] ?? null;

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6">
      <Card>
        <CardHeader title="Strategy" description="Curated strategies are code from the library; your own are the rule documents you saved in the builder." />
        <CardBody className="space-y-4">
          <SelectField
            label="Strategy"
            options={sourceOptions}
            value={source}
            onValueChange={(v) => {
              setSource(v);
              setParams({});
            }}
          />
          {entry ? <p className="text-sm text-slate-600">{entry.description}</p> : <p className="text-sm text-slate-600">Runs a snapshot of the rules as saved now; later edits do not change a running strategy.</p>}
          {entry ? (
            <div className="grid gap-4 sm:grid-cols-2">
              {entry.params.map((p) => (
                <TextField
                  key={p.name}
                  label={labelOf(p.name)}
                  type="number"
                  inputMode="decimal"
                  min={p.min}
                  max={p.max}
                  step={p.step}
                  placeholder={String(p.default)}
                  value={params[p.name] ?? ""}
                  onChange={(e) => setParams((old) => ({ ...old, [p.name]: e.target.value }))}
                  hint={`${p.description} Default ${p.default} (${p.min}–${p.max}).`}
                />
              ))}
            </div>
          ) : null}
          {paramErrors ? <Alert tone="error">{paramErrors.join(" ")}</Alert> : null}
          {err("source") ? <Alert tone="error">{err("source")!.join(" ")}</Alert> : null}
        </CardBody>
      </Card>

      <Card>
        <CardHeader title="Market and limits" description="The limits count per UTC day. When the day's realised loss reaches the limit, the run stops itself." />
        <CardBody className="grid gap-4 sm:grid-cols-2">
          <div>
            <SelectField label="Symbol" options={symbols.map((s) => ({ value: s.symbol, label: `${s.symbol} · ${s.market}` }))} value={symbol} onValueChange={setSymbol} />
            {err("symbol") ? <p className="mt-1 text-sm text-red-700">{err("symbol")!.join(" ")}</p> : null}
          </div>
          <div>
            <SelectField label="Timeframe" options={TIMEFRAMES.map((t) => ({ value: t, label: TIMEFRAME_LABELS[t] ?? t }))} value={timeframe} onValueChange={setTimeframe} />
            {err("timeframe") ? <p className="mt-1 text-sm text-red-700">{err("timeframe")!.join(" ")}</p> : null}
          </div>
          <TextField label="Daily loss limit (%)" type="number" inputMode="decimal" min={0.1} max={50} step={0.1} value={lossPct} onChange={(e) => setLossPct(e.target.value)} errors={err("maxDailyLoss")} hint="Realised loss of the day's closed signals, compounded." />
          <TextField label="Most trades a day" type="number" inputMode="numeric" min={1} max={100} step={1} value={trades} onChange={(e) => setTrades(e.target.value)} errors={err("maxTradesPerDay")} hint="Further entries that day are skipped." />
          <TextField className="sm:col-span-2" label="Provider name (optional)" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} errors={err("name")} hint="Shown on its provider page; by default the strategy, symbol and timeframe." />
        </CardBody>
      </Card>

      <Card>
        <CardBody className="space-y-4">
          <Checkbox
            checked={confirmed}
            onChange={(e) => setConfirmed(e.target.checked)}
            errors={err("confirm")}
            label={
              <>
                I understand that this strategy <strong>publishes live signals</strong> under a new automated provider of mine, on its public hash-chained record,
                as each candle closes (starting now, with the candle that has just closed), and that every signal is final. It <strong>incubates for {INCUBATION_DAYS} days</strong>: it is not listed in the
                marketplace and takes no subscribers until then. Backtests never enter its record. I can stop it at any time; stopping closes its open signals at the
                market.
              </>
            }
          />
          {start.error && !Object.keys(errors).length ? <Alert tone="error">{start.error.message}</Alert> : null}
          <div className="flex flex-wrap gap-2">
            <Button type="submit" disabled={start.isPending}>
              {start.isPending ? "Starting…" : "Start running live"}
            </Button>
            <ButtonLink href="/lab/runs" variant="ghost">
              Cancel
            </ButtonLink>
          </div>
        </CardBody>
      </Card>
    </form>
  );
}
