"use client";

/**
 * The one-click backtest panel: market and timeframe (from lab.symbols), optional date range, and the engine
 * settings (cash, commission, slippage, sizing), validated by the shared schema with react-hook-form. The parent
 * says what runs (`source`); a started run opens its page.
 */
import { useRouter } from "next/navigation";
import { useForm, useWatch } from "react-hook-form";
import { z } from "zod";
import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { backtestSettingsSchema, DEFAULT_BACKTEST_SETTINGS, LAB_TIMEFRAMES, type BacktestSource } from "@/lib/validation/lab";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { messages } from "@/components/forms/errors";

const formSchema = z.object({
  symbol: z.string().min(1, "Choose a market"),
  timeframe: z.enum(LAB_TIMEFRAMES, { error: "Choose 1h or 1d" }),
  from: z.string(),
  to: z.string(),
  cash: z.number({ error: "Enter the starting cash" }),
  commissionPct: z.number({ error: "Enter a commission" }),
  slippageBps: z.number({ error: "Enter a slippage" }),
  sizingMode: z.enum(["fraction", "quantity", "risk"]),
  sizingValue: z.number({ error: "Enter a size" }),
}).superRefine((v, ctx) => {
  const r = backtestSettingsSchema.safeParse({ cash: v.cash, commissionPct: v.commissionPct, slippageBps: v.slippageBps, sizing: { mode: v.sizingMode, value: v.sizingValue } });
  if (!r.success) for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message, path: [i.path[0] === "sizing" ? "sizingValue" : String(i.path[0])] });
  if (v.from && v.to && v.from >= v.to) ctx.addIssue({ code: "custom", message: "The start must be before the end", path: ["from"] });
});
type FormValues = z.infer<typeof formSchema>;

const select = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function BacktestForm({ source, disabled, disabledReason }: { source: () => BacktestSource | null; disabled?: boolean; disabledReason?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const symbols = useQuery(trpc.lab.symbols.queryOptions());
  const list = symbols.data?.symbols ?? [];
  const form = useForm<FormValues>({
    resolver: zodResolver(formSchema),
    defaultValues: {
      symbol: "",
      timeframe: "1h",
      from: "",
      to: "",
      cash: DEFAULT_BACKTEST_SETTINGS.cash,
      commissionPct: DEFAULT_BACKTEST_SETTINGS.commissionPct,
      slippageBps: DEFAULT_BACKTEST_SETTINGS.slippageBps,
      sizingMode: "fraction",
      sizingValue: 1,
    },
  });
  const start = useMutation(trpc.lab.backtests.start.mutationOptions({ onSuccess: (run) => router.push(`/lab/backtests/${run.id}`) }));
  const symbol = useWatch({ control: form.control, name: "symbol" }) || list[0]?.symbol || "";
  const timeframes = list.find((s) => s.symbol === symbol)?.timeframes ?? LAB_TIMEFRAMES;
  const errors = form.formState.errors;

  const submit = form.handleSubmit((v) => {
    const src = source();
    if (!src) return;
    const tf = timeframes.includes(v.timeframe) ? v.timeframe : timeframes[0]!;
    start.mutate({
      source: src,
      symbol: v.symbol || symbol,
      timeframe: tf,
      from: v.from ? Date.parse(`${v.from}T00:00:00Z`) : undefined,
      to: v.to ? Date.parse(`${v.to}T00:00:00Z`) : undefined,
      settings: { cash: v.cash, commissionPct: v.commissionPct, slippageBps: v.slippageBps, sizing: { mode: v.sizingMode, value: v.sizingValue } },
    });
  });

  return (
    <form onSubmit={submit} className="space-y-3" noValidate data-testid="backtest-form">
      <div className="grid grid-cols-2 gap-3">
        <label className="block text-sm font-medium text-slate-800">
          Market
          <select className={select} {...form.register("symbol")} value={symbol}>
            {list.map((s) => (
              <option key={s.symbol} value={s.symbol}>
                {s.symbol}
              </option>
            ))}
          </select>
        </label>
        <label className="block text-sm font-medium text-slate-800">
          Timeframe
          <select className={select} {...form.register("timeframe")}>
            {timeframes.map((tf) => (
              <option key={tf} value={tf}>
                {tf === "1h" ? "1 hour" : "1 day"}
              </option>
            ))}
          </select>
        </label>
        <TextField label="From (optional)" type="date" hint="Default: all history" {...form.register("from")} errors={messages(errors.from)} />
        <TextField label="To (optional)" type="date" {...form.register("to")} errors={messages(errors.to)} />
      </div>
      <details className="rounded-md border border-slate-200 px-3 py-2 text-sm">
        <summary className="cursor-pointer font-medium text-slate-800">Settings: cash, commission, slippage, sizing</summary>
        <div className="mt-3 grid grid-cols-2 gap-3">
          <TextField label="Starting cash" type="number" step="any" {...form.register("cash", { valueAsNumber: true })} errors={messages(errors.cash)} />
          <TextField label="Commission % per side" type="number" step="any" {...form.register("commissionPct", { valueAsNumber: true })} errors={messages(errors.commissionPct)} />
          <TextField label="Slippage (bps)" type="number" step="any" {...form.register("slippageBps", { valueAsNumber: true })} errors={messages(errors.slippageBps)} />
          <label className="block text-sm font-medium text-slate-800">
            Sizing
            <select className={select} {...form.register("sizingMode")}>
              <option value="fraction">Share of equity</option>
              <option value="quantity">Fixed quantity</option>
              <option value="risk">Risk per trade (share)</option>
            </select>
          </label>
          <TextField label="Size" type="number" step="any" hint="The document's own size, when it has one, wins" {...form.register("sizingValue", { valueAsNumber: true })} errors={messages(errors.sizingValue)} />
        </div>
      </details>
      {start.error ? <Alert tone="error">{start.error.message}</Alert> : null}
      {disabled && disabledReason ? <p className="text-xs text-slate-500">{disabledReason}</p> : null}
      <Button type="submit" disabled={disabled || start.isPending || !symbol} data-testid="start-backtest">
        {start.isPending ? "Starting…" : "Backtest"}
      </Button>
    </form>
  );
}
