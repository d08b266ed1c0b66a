"use client";

import { keepPreviousData, skipToken, useMutation, useQuery, useQueryClient, type QueryKey } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import Decimal from "decimal.js";
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert, Badge, Card, CardHeader, EmptyState } from "@/components/ui/card";
import { Button, Spinner } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { FieldError, TextArea, TextField } from "@/components/ui/field";
import { Icon } from "@/components/shell/icons";
import { SideBadge, StatusBadge } from "@/components/signals/badges";
import { exitReasonLabel, formatPrice, formatR, formatReturn, formatShare, isPrice, percentToShare, resultTone, shareToPercent, sourceLabel } from "@/components/signals/format";
import { SignalLevels } from "@/components/signals/levels";
import { RelativeTime } from "@/components/signals/relative-time";
import { previewRisk } from "@/components/signals/risk";
import { RiskPreviewPanel } from "@/components/signals/risk-preview";
import { StreamStatus } from "@/components/signals/stream-status";
import { SymbolCombobox } from "@/components/signals/symbol-combobox";
import type { SymbolInfo } from "@/lib/market-data/types";
import { DEFAULT_LIMIT_EXPIRY_HOURS, MAX_TAKE_PROFITS } from "@/lib/validation/signals";
import type { FullSignalView, SignalView } from "@/server/services/signals/views";

type FieldErrs = Record<string, string[]>;
type Side = "long" | "short";
type EntryType = "market" | "limit";

const QUOTE_REFRESH_MS = 10_000;
const BOOK_PAGE_SIZE = 10;

const EXPIRY_OPTIONS = [
  { hours: 1, label: "1 hour" },
  { hours: 4, label: "4 hours" },
  { hours: 12, label: "12 hours" },
  { hours: 24, label: "1 day" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
  { hours: 336, label: "14 days" },
  { hours: 720, label: "30 days" },
  { hours: 2160, label: "90 days" },
];

/** A key per form submission, so a retried request (double click, flaky network) publishes once. */
function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `ui:${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

const clockFmt = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: "UTC" });

const normalizeDecimal = (v: string) => (isPrice(v) ? new Decimal(v.trim()).toString() : v.trim());

// ---------------------------------------------------------------------------------------------------------------
// Publish form
// ---------------------------------------------------------------------------------------------------------------

interface TargetRow {
  key: number;
  price: string;
  size: string;
}

let targetKeys = 0;
const emptyTarget = (): TargetRow => ({ key: ++targetKeys, price: "", size: "" });

interface Published {
  number: number;
  symbol: string;
  side: Side;
  entryType: EntryType;
  entryPrice: string;
  precision?: number;
  created: boolean;
}

function SegmentedRadio<T extends string>({
  legend,
  name,
  value,
  onChange,
  options,
}: {
  legend: string;
  name: string;
  value: T;
  onChange: (v: T) => void;
  options: { value: T; label: string; glyph?: string; tone?: "green" | "red" | "brand" }[];
}) {
  return (
    <fieldset>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-1 grid grid-cols-2 gap-1 rounded-lg bg-slate-100 p-1">
        {options.map((o) => {
          const checked = value === o.value;
          const tone = { green: "bg-emerald-600 text-white", red: "bg-red-600 text-white", brand: "bg-white text-brand-800 shadow-xs ring-1 ring-slate-200" }[o.tone ?? "brand"];
          return (
            <label key={o.value} className="relative">
              {/* The input covers its label, so pointer, keyboard and test clicks all land on the real radio. */}
              <input
                type="radio"
                name={name}
                value={o.value}
                checked={checked}
                onChange={() => onChange(o.value)}
                className="peer absolute inset-0 z-10 size-full cursor-pointer opacity-0"
              />
              <span
                className={cn(
                  "flex h-9 items-center justify-center gap-1.5 rounded-md text-sm font-medium transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-brand-600",
                  checked ? tone : "text-slate-600 hover:text-slate-900",
                )}
              >
                {o.glyph ? <span aria-hidden="true">{o.glyph}</span> : null}
                {o.label}
              </span>
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

function SelectField({
  label,
  value,
  onChange,
  children,
  hint,
  errors,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  children: ReactNode;
  hint?: ReactNode;
  errors?: string[];
}) {
  const id = useId();
  const invalid = Boolean(errors?.length);
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select
        id={id}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? `${id}-error` : hint ? `${id}-hint` : undefined}
        className={cn(
          "mt-1 block h-[38px] w-full rounded-md border bg-white px-3 text-sm text-slate-900 shadow-xs focus:border-brand-600 focus:ring-2 focus:ring-brand-600/20 focus:outline-none",
          invalid ? "border-red-500" : "border-slate-300",
        )}
      >
        {children}
      </select>
      {hint && !invalid ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

/** Sorts the server's take-profit messages ("Take-profit 2 (…) must be above…") onto the row they name. */
function distributeErrors(fields: FieldErrs): FieldErrs {
  const out: FieldErrs = {};
  for (const [key, messages] of Object.entries(fields)) {
    if (key !== "takeProfits") {
      out[key] = messages;
      continue;
    }
    for (const m of messages) {
      const level = /^Take-profit (\d)/.exec(m)?.[1];
      const k = level ? `tp${Number(level) - 1}.price` : "takeProfits";
      (out[k] ??= []).push(m);
    }
  }
  return out;
}

export function PublishForm({ symbols, marketSource }: { symbols: SymbolInfo[]; marketSource: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  const [symbol, setSymbol] = useState<SymbolInfo | null>(null);
  const [symbolText, setSymbolText] = useState("");
  const [side, setSide] = useState<Side>("long");
  const [entryType, setEntryType] = useState<EntryType>("market");
  const [limitPrice, setLimitPrice] = useState("");
  const [stopLoss, setStopLoss] = useState("");
  const [targets, setTargets] = useState<TargetRow[]>(() => [emptyTarget()]);
  const [note, setNote] = useState("");
  const [expiresInHours, setExpiresInHours] = useState(String(DEFAULT_LIMIT_EXPIRY_HOURS));
  const [errors, setErrors] = useState<FieldErrs>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [published, setPublished] = useState<Published | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [focusTick, setFocusTick] = useState<{ target: "error" | "success"; n: number } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const successRef = useRef<HTMLDivElement>(null);

  const quote = useQuery(
    trpc.signals.quote.queryOptions(symbol ? { symbol: symbol.symbol } : skipToken, {
      refetchInterval: QUOTE_REFRESH_MS,
      refetchIntervalInBackground: false,
      staleTime: QUOTE_REFRESH_MS / 2,
    }),
  );
  const marketPrice = quote.data && symbol && quote.data.symbol === symbol.symbol ? quote.data.price : null;
  // A market entry is the market price: the field shows the live quote and the server checks it is still within
  // tolerance when the signal is recorded.
  const entryValue = entryType === "market" ? (marketPrice ?? "") : limitPrice;

  const parsedTargets = targets.map((t) => ({ price: t.price, share: t.size.trim() ? percentToShare(t.size) : null }));
  const preview = previewRisk({ side, entry: entryValue, stop: stopLoss, targets: parsedTargets });

  useEffect(() => {
    if (!focusTick) return;
    if (focusTick.target === "success") successRef.current?.focus();
    else formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-focus-on-error]')?.focus();
  }, [focusTick]);

  const clearError = (...keys: string[]) =>
    setErrors((e) => {
      if (!keys.some((k) => k in e)) return e;
      const next = { ...e };
      for (const k of keys) delete next[k];
      return next;
    });

  const reset = () => {
    setSymbol(null);
    setSymbolText("");
    setSide("long");
    setEntryType("market");
    setLimitPrice("");
    setStopLoss("");
    setTargets([emptyTarget()]);
    setNote("");
    setExpiresInHours(String(DEFAULT_LIMIT_EXPIRY_HOURS));
    setErrors({});
    setFormError(null);
    setIdempotencyKey(newIdempotencyKey());
  };

  const publish = useMutation(
    trpc.signals.publish.mutationOptions({
      onSuccess: ({ signal, created }) => {
        const s = signal as FullSignalView;
        setPublished({ number: s.number, symbol: s.symbol, side: s.side, entryType: s.entryType, entryPrice: s.entryPrice, precision: symbol?.pricePrecision, created });
        reset();
        setFocusTick((t) => ({ target: "success", n: (t?.n ?? 0) + 1 }));
        void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() });
      },
      onError: (err) => {
        const fields = distributeErrors(serverFieldErrors(err));
        const known = new Set(["symbol", "side", "entryType", "entryPrice", "stopLoss", "takeProfits", "note", "expiresInHours"]);
        const shown = Object.keys(fields).some((k) => known.has(k) || k.startsWith("tp"));
        setErrors(fields);
        setFormError(shown ? null : err.message);
        setFocusTick((t) => ({ target: "error", n: (t?.n ?? 0) + 1 }));
      },
    }),
  );

  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    if (publish.isPending) return;
    setPublished(null);
    setFormError(null);

    // Checks the server cannot make for us: the % the person typed has to become a fraction first.
    const local: FieldErrs = {};
    const chosen = symbol?.symbol ?? symbolText.trim();
    if (!chosen) local.symbol = ["Choose a symbol"];
    if (entryType === "market" && chosen && !marketPrice) local.entryPrice = ["Waiting for the market price; try again in a moment"];
    const takeProfits: { price: string; share: string }[] = [];
    targets.forEach((t, i) => {
      const price = t.price.trim();
      const size = t.size.trim();
      if (!price && !size) return;
      if (!price) local[`tp${i}.price`] = [`Enter the price of take-profit ${i + 1}`];
      const share = size ? percentToShare(size) : null;
      if (!size) local[`tp${i}.size`] = ["Enter the % of the position closed here"];
      else if (!share) local[`tp${i}.size`] = ["A size is a % between 0 and 100, like 50"];
      if (price && share) takeProfits.push({ price, share });
    });
    const total = parsedTargets.reduce((acc, t) => (t.share ? acc.plus(t.share) : acc), new Decimal(0));
    if (total.gt(1)) local.takeProfits = [`Take-profit sizes add up to ${shareToPercent(total.toString())}%; at most 100% of the position can be closed`];
    if (Object.keys(local).length) {
      setErrors(local);
      setFocusTick((t) => ({ target: "error", n: (t?.n ?? 0) + 1 }));
      return;
    }

    publish.mutate({
      symbol: chosen,
      side,
      entryType,
      entryPrice: entryValue.trim() || undefined,
      stopLoss: stopLoss.trim() || undefined,
      takeProfits,
      note: note.trim(),
      expiresInHours: entryType === "limit" ? Number(expiresInHours) : undefined,
      idempotencyKey,
    });
  };

  const updateTarget = (i: number, patch: Partial<TargetRow>) => setTargets((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const assigned = parsedTargets.reduce((acc, t) => (t.share ? acc.plus(t.share) : acc), new Decimal(0));

  const entryHint =
    entryType === "market" ? (
      symbol ? (
        <QuoteLine loading={quote.isFetching} at={quote.data?.at ?? null} error={quote.isError ? quote.error.message : null} onRetry={() => void quote.refetch()} />
      ) : (
        "Choose a symbol to load its market price."
      )
    ) : marketPrice ? (
      <>
        Market is <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{formatPrice(marketPrice, symbol?.pricePrecision)}</span>: a {side} limit must be {side === "long" ? "below" : "above"} it.
      </>
    ) : (
      "Fills when the market trades at this price."
    );

  return (
    <Card>
      <CardHeader
        title="Publish a signal"
        description="Published signals are final and hash-chained: afterwards you can move the stop, close or cancel, never edit."
      />
      <form ref={formRef} onSubmit={onSubmit} noValidate aria-describedby="publish-help">
        <div className="grid xl:grid-cols-[minmax(0,1fr)_20rem]">
          <div className="space-y-5 px-5 py-5">
            {formError ? <Alert tone="error">{formError}</Alert> : null}

            <SymbolCombobox
              symbols={symbols}
              value={symbol}
              onChange={(s) => {
                setSymbol(s);
                clearError("symbol", "entryPrice");
              }}
              query={symbolText}
              onQueryChange={(t) => {
                setSymbolText(t);
                clearError("symbol");
              }}
              errors={errors.symbol}
            />

            <div className="grid gap-4 sm:grid-cols-2">
              <SegmentedRadio<Side>
                legend="Direction"
                name="side"
                value={side}
                onChange={(v) => {
                  setSide(v);
                  clearError("stopLoss", "takeProfits", "entryPrice", "tp0.price", "tp1.price", "tp2.price");
                }}
                options={[
                  { value: "long", label: "Long", glyph: "▲", tone: "green" },
                  { value: "short", label: "Short", glyph: "▼", tone: "red" },
                ]}
              />
              <SegmentedRadio<EntryType>
                legend="Entry"
                name="entryType"
                value={entryType}
                onChange={(v) => {
                  setEntryType(v);
                  clearError("entryPrice", "expiresInHours");
                }}
                options={[
                  { value: "market", label: "Market" },
                  { value: "limit", label: "Limit" },
                ]}
              />
            </div>

            <div className={cn("grid gap-4", entryType === "limit" ? "sm:grid-cols-3" : "sm:grid-cols-2")}>
              <TextField
                label="Entry price"
                inputMode="decimal"
                autoComplete="off"
                value={entryValue}
                readOnly={entryType === "market"}
                placeholder={entryType === "market" ? (symbol ? "Loading…" : "Market price") : marketPrice ? formatPrice(marketPrice, symbol?.pricePrecision) : "e.g. 31800"}
                onChange={(e) => {
                  setLimitPrice(e.target.value);
                  clearError("entryPrice");
                }}
                hint={entryHint}
                errors={errors.entryPrice}
                className={cn("[&_input]:font-mono [&_input::placeholder]:font-sans", entryType === "market" && "[&_input]:bg-slate-50 [&_input]:text-slate-700")}
              />
              <TextField
                label="Stop-loss"
                inputMode="decimal"
                autoComplete="off"
                value={stopLoss}
                placeholder={side === "long" ? "Below entry" : "Above entry"}
                onChange={(e) => {
                  setStopLoss(e.target.value);
                  clearError("stopLoss");
                }}
                hint={preview?.riskPct ? `${preview.riskPct.toDecimalPlaces(2).toFixed(2)}% from entry` : "Optional, but without one there is no R multiple."}
                errors={errors.stopLoss}
                className="[&_input]:font-mono [&_input::placeholder]:font-sans"
              />
              {entryType === "limit" ? (
                <SelectField label="Expires after" value={expiresInHours} onChange={setExpiresInHours} hint="Cancelled if not filled by then." errors={errors.expiresInHours}>
                  {EXPIRY_OPTIONS.map((o) => (
                    <option key={o.hours} value={o.hours}>
                      {o.label}
                    </option>
                  ))}
                </SelectField>
              ) : null}
            </div>

            <fieldset>
              <legend className="text-sm font-medium text-slate-800">Take-profits</legend>
              <p className="text-xs text-slate-500">
                Up to {MAX_TAKE_PROFITS} levels, each closing a % of the original position. {assigned.gt(0) ? `${shareToPercent(assigned.toString())}% assigned.` : ""}
              </p>
              <ol className="mt-2 space-y-3">
                {targets.map((t, i) => (
                  <li key={t.key} className="grid grid-cols-[2rem_minmax(0,1fr)_5.75rem_2.25rem] items-start gap-2 sm:grid-cols-[2.5rem_minmax(0,1fr)_9rem_2.5rem] sm:gap-3">
                    <span aria-hidden="true" className="mt-9 text-xs font-semibold text-slate-500">
                      TP{i + 1}
                    </span>
                    {/* Short visible labels; the accessible names say which level ("Take-profit 2 price"). */}
                    <TextField
                      label="Price"
                      aria-label={`Take-profit ${i + 1} price`}
                      inputMode="decimal"
                      autoComplete="off"
                      value={t.price}
                      placeholder={side === "long" ? "Above entry" : "Below entry"}
                      onChange={(e) => {
                        updateTarget(i, { price: e.target.value });
                        clearError(`tp${i}.price`, "takeProfits");
                      }}
                      errors={errors[`tp${i}.price`]}
                      className="[&_input]:font-mono [&_input::placeholder]:font-sans"
                    />
                    <TextField
                      label="Size (%)"
                      aria-label={`Take-profit ${i + 1} size (%)`}
                      inputMode="decimal"
                      autoComplete="off"
                      value={t.size}
                      placeholder={i === 0 ? "100" : "50"}
                      onChange={(e) => {
                        updateTarget(i, { size: e.target.value });
                        clearError(`tp${i}.size`, "takeProfits");
                      }}
                      errors={errors[`tp${i}.size`]}
                      className="[&_input]:font-mono [&_input::placeholder]:font-sans"
                    />
                    <Button
                      type="button"
                      variant="ghost"
                      className="mt-6 px-0"
                      aria-label={`Remove take-profit ${i + 1}`}
                      title={`Remove take-profit ${i + 1}`}
                      disabled={targets.length === 1 && !t.price && !t.size}
                      onClick={() => {
                        setTargets((rows) => (rows.length === 1 ? [emptyTarget()] : rows.filter((_, j) => j !== i)));
                        setErrors({});
                      }}
                    >
                      <span aria-hidden="true" className="text-lg leading-none">×</span>
                    </Button>
                  </li>
                ))}
              </ol>
              {errors.takeProfits ? (
                <p className="mt-2 text-sm text-red-700 outline-none" role="alert" tabIndex={-1} data-focus-on-error>
                  {errors.takeProfits[0]}
                </p>
              ) : null}
              {targets.length < MAX_TAKE_PROFITS ? (
                <Button
                  type="button"
                  variant="secondary"
                  size="sm"
                  className="mt-3"
                  onClick={() => setTargets((rows) => [...rows, emptyTarget()])}
                >
                  <span aria-hidden="true">+</span> Add take-profit {targets.length + 1}
                </Button>
              ) : null}
            </fieldset>

            <TextArea
              label="Note"
              value={note}
              maxLength={1000}
              placeholder="Why this trade? Subscribers see it with the signal."
              onChange={(e) => {
                setNote(e.target.value);
                clearError("note");
              }}
              errors={errors.note}
              className="[&_textarea]:min-h-20"
            />
          </div>

          <aside aria-label="Risk and reward preview" className="border-t border-slate-100 bg-slate-50/60 px-5 py-5 xl:border-t-0 xl:border-l">
            <h3 className="text-sm font-semibold text-slate-900">Risk / reward</h3>
            <div className="mt-3">
              <RiskPreviewPanel
                preview={preview}
                entryLabel={
                  entryType === "market"
                    ? symbol
                      ? "Waiting for the market price…"
                      : "Choose a symbol: the preview uses its live price as the entry."
                    : "Enter a limit price to preview risk and reward."
                }
              />
            </div>
          </aside>
        </div>

        <div className="flex flex-col gap-3 border-t border-slate-100 px-5 py-4 sm:flex-row sm:items-center sm:justify-between">
          <p id="publish-help" className="text-xs text-slate-500">
            {marketSource === "replay" ? "Prices come from a replay of recorded market data. " : ""}A market entry must be within 1% of the market price when it is recorded.
          </p>
          <Button type="submit" loading={publish.isPending} className="shrink-0">
            {publish.isPending ? "Publishing…" : "Publish signal"}
          </Button>
        </div>
      </form>
      {published ? (
        <div ref={successRef} tabIndex={-1} className="px-5 pb-5 outline-none">
          <Alert tone="success" className="flex flex-wrap items-center justify-between gap-3">
            <span>
              {published.created ? (
                <>
                  <strong>Signal #{published.number} published:</strong>{" "}
                </>
              ) : (
                <>
                  <strong>Signal #{published.number} was already published</strong> (this submission was a repeat):{" "}
                </>
              )}
              {published.side === "long" ? "long" : "short"} {published.symbol}{" "}
              {published.entryType === "market" ? (
                <>
                  at <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{published.entryPrice}</span>. It is live on your subscribers&apos; dashboards.
                </>
              ) : (
                <>
                  with a limit entry at <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{published.entryPrice}</span>, pending until filled.
                </>
              )}
            </span>
            <Button type="button" variant="ghost" size="sm" onClick={() => setPublished(null)}>
              Dismiss
            </Button>
          </Alert>
        </div>
      ) : null}
    </Card>
  );
}

function QuoteLine({ loading, at, error, onRetry }: { loading: boolean; at: Date | null; error: string | null; onRetry: () => void }) {
  if (error && !at) {
    return (
      <span className="text-red-700">
        Couldn&apos;t load the market price.{" "}
        <button type="button" onClick={onRetry} className="font-medium underline">
          Retry
        </button>
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-1.5" title={at ? `Last price at ${clockFmt.format(at)} UTC` : undefined}>
      {loading ? <Spinner className="size-3" /> : <span aria-hidden="true" className="size-1.5 rounded-full bg-emerald-500" />}
      {at ? "Live market price, refreshed every 10 s." : "Loading the market price…"}
    </span>
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Signal book
// ---------------------------------------------------------------------------------------------------------------

type Tab = "live" | "done";
type MineData = { items: SignalView[]; total: number; page: number; pageSize: number };

/** The provider's own signals, Live and History, kept current by the live stream of their own feed. */
export function SignalBook({ providerId, symbols }: { providerId: string; symbols: SymbolInfo[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tab, setTab] = useState<Tab>("live");
  const [pages, setPages] = useState<Record<Tab, number>>({ live: 1, done: 1 });
  const [flash, setFlash] = useState<Record<string, number>>({});
  const [announcement, setAnnouncement] = useState("");
  const [notice, setNotice] = useState<{ text: string; focus: boolean } | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const tabIds = { live: useId(), done: useId() };
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ live: null, done: null });

  const precision = useMemo(() => new Map(symbols.map((s) => [s.symbol, s.pricePrecision])), [symbols]);
  const liveInput = { status: "live" as const, page: pages.live, pageSize: BOOK_PAGE_SIZE };
  const doneInput = { status: "done" as const, page: pages.done, pageSize: BOOK_PAGE_SIZE };
  const live = useQuery({ ...trpc.signals.mine.queryOptions(liveInput), placeholderData: keepPreviousData });
  const done = useQuery({ ...trpc.signals.mine.queryOptions(doneInput), placeholderData: keepPreviousData, enabled: tab === "done" });
  const current = tab === "live" ? live : done;

  const markChanged = (id: string, message: string) => {
    setFlash((f) => ({ ...f, [id]: (f[id] ?? 0) + 1 }));
    setAnnouncement(message);
    window.setTimeout(() => {
      setFlash((f) => {
        const next = { ...f };
        delete next[id];
        return next;
      });
    }, 4000);
  };

  const sub = useSubscription(
    trpc.signals.live.subscriptionOptions(undefined, {
      // Catches up on changes made before the stream (re)connected, e.g. by the price monitor.
      onStarted: () => void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() }),
      onData: ({ kind, signal }) => {
        if (signal.providerId !== providerId || signal.visibility !== "full") return;
        markChanged(signal.id, `Signal #${signal.number} ${signal.symbol}: ${describeKind(kind, signal)}`);
        void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() });
      },
    }),
  );

  // A closed or cancelled row leaves the list, taking focus with it: the confirmation takes focus instead.
  useEffect(() => {
    if (notice?.focus) noticeRef.current?.focus();
  }, [notice]);

  const onActionDone = (message: string, rowLeaves: boolean) => {
    setNotice({ text: message, focus: rowLeaves });
    void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() });
  };

  const selectTab = (t: Tab, focus = false) => {
    setTab(t);
    setNotice(null);
    if (focus) tabRefs.current[t]?.focus();
  };

  const data = current.data as MineData | undefined;
  const totalPages = data ? Math.max(1, Math.ceil(data.total / BOOK_PAGE_SIZE)) : 1;
  // Closing the last signal of the last page leaves that page empty: step back to the new last page.
  const overshoot = data && !current.isPlaceholderData && !data.items.length && data.page > totalPages;
  // (Adjusting state while rendering, the pattern React documents for state derived from new data.)
  if (overshoot && pages[tab] !== totalPages) setPages((p) => ({ ...p, [tab]: totalPages }));
  const count = (q: typeof live) => (q.data ? ` (${(q.data as MineData).total})` : "");

  return (
    <Card className="overflow-hidden">
      <CardHeader
        title="Your signals"
        description="Open and pending signals update by themselves as the market reaches their levels."
        action={<StreamStatus status={sub.status} liveTitle="Receiving changes as they happen" />}
      />
      <div className="border-b border-slate-100 px-5">
        <div role="tablist" aria-label="Signal book" className="-mb-px flex gap-6">
          {(["live", "done"] as const).map((t) => (
            <button
              key={t}
              ref={(el) => {
                tabRefs.current[t] = el;
              }}
              id={`${tabIds[t]}-tab`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls={`${tabIds[t]}-panel`}
              tabIndex={tab === t ? 0 : -1}
              onClick={() => selectTab(t)}
              onKeyDown={(e) => {
                if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
                  e.preventDefault();
                  selectTab(t === "live" ? "done" : "live", true);
                }
              }}
              className={cn(
                "border-b-2 py-3 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600",
                tab === t ? "border-brand-700 text-brand-800" : "border-transparent text-slate-500 hover:text-slate-800",
              )}
            >
              {t === "live" ? `Live${count(live)}` : `History${count(done)}`}
            </button>
          ))}
        </div>
      </div>
      <div id={`${tabIds[tab]}-panel`} role="tabpanel" aria-labelledby={`${tabIds[tab]}-tab`} aria-busy={current.isFetching || undefined}>
        <p className="sr-only" aria-live="polite">
          {announcement}
        </p>
        {notice ? (
          <div ref={noticeRef} tabIndex={-1} className="px-5 pt-4 outline-none">
            <Alert tone="success" className="flex items-center justify-between gap-3">
              <span>{notice.text}</span>
              <Button type="button" variant="ghost" size="sm" onClick={() => setNotice(null)}>
                Dismiss
              </Button>
            </Alert>
          </div>
        ) : null}
        {current.isPending ? (
          <BookSkeleton />
        ) : current.isError && !data ? (
          <div className="p-5">
            <Alert tone="error">
              Couldn&apos;t load your signals: {current.error.message}{" "}
              <button type="button" className="font-medium underline" onClick={() => void current.refetch()}>
                Try again
              </button>
            </Alert>
          </div>
        ) : !data?.items.length ? (
          <div className="p-5">
            {tab === "live" ? (
              <EmptyState icon={<Icon name="signal" className="size-10" />} title="No live signals">
                Signals you publish appear here while they are pending or open, with their stop, targets and actions.
              </EmptyState>
            ) : (
              <EmptyState icon={<Icon name="list" className="size-10" />} title="No closed signals yet">
                Closed, cancelled and expired signals land here with their verified results.
              </EmptyState>
            )}
          </div>
        ) : (
          <>
            <ul className={cn("divide-y divide-slate-100 transition-opacity", current.isPlaceholderData && "opacity-60")}>
              {data.items.map((s) =>
                s.visibility === "full" ? (
                  <BookRow
                    key={s.id}
                    signal={s}
                    precision={precision.get(s.symbol)}
                    flash={Boolean(flash[s.id])}
                    queryKey={trpc.signals.mine.queryKey(tab === "live" ? liveInput : doneInput)}
                    onDone={onActionDone}
                  />
                ) : null,
              )}
            </ul>
            {totalPages > 1 ? (
              <nav aria-label={`${tab === "live" ? "Live" : "History"} pages`} className="flex items-center justify-between gap-4 border-t border-slate-100 px-5 py-3">
                <Button variant="secondary" size="sm" disabled={data.page <= 1} onClick={() => setPages((p) => ({ ...p, [tab]: p[tab] - 1 }))}>
                  <span aria-hidden="true">←</span> Newer
                </Button>
                <p className="text-sm text-slate-600">
                  Page <span className="font-medium text-slate-900">{data.page}</span> of <span className="font-medium text-slate-900">{totalPages}</span>
                </p>
                <Button variant="secondary" size="sm" disabled={data.page >= totalPages} onClick={() => setPages((p) => ({ ...p, [tab]: p[tab] + 1 }))}>
                  Older <span aria-hidden="true">→</span>
                </Button>
              </nav>
            ) : null}
          </>
        )}
      </div>
    </Card>
  );
}

function describeKind(kind: string, s: FullSignalView): string {
  switch (kind) {
    case "published":
      return s.status === "pending" ? "limit entry is pending" : "now open";
    case "filled":
      return `limit entry filled at ${s.fillPrice ?? s.entryPrice}`;
    case "stop_moved":
      return `stop moved to ${s.stopLoss}`;
    case "partial_close":
      return `partly closed, ${formatShare(s.remaining)} still open`;
    case "closed":
      return `closed at ${s.exitPrice ?? "market"} (${formatReturn(s.resultPct)})`;
    case "cancelled":
      return "cancelled";
    case "expired":
      return "expired without filling";
    default:
      return kind.replace(/_/g, " ");
  }
}

function BookSkeleton() {
  return (
    <ul aria-hidden="true" className="divide-y divide-slate-100">
      {[0, 1, 2].map((i) => (
        <li key={i} className="animate-pulse space-y-3 px-5 py-4">
          <div className="h-4 w-48 rounded bg-slate-100" />
          <div className="h-3 w-72 max-w-full rounded bg-slate-100" />
        </li>
      ))}
    </ul>
  );
}

type Mode = null | "stop" | "close" | "part" | "cancel";

function BookRow({
  signal: s,
  precision,
  flash,
  queryKey,
  onDone,
}: {
  signal: FullSignalView;
  precision?: number;
  flash: boolean;
  queryKey: QueryKey;
  onDone: (message: string, rowLeaves: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>(null);
  const [stopDraft, setStopDraft] = useState("");
  const [partDraft, setPartDraft] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const trigger = useRef<HTMLButtonElement | null>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const lastMode = useRef<Mode>(null);
  const live = s.status === "open" || s.status === "pending";

  const patchRow = (patch: Partial<FullSignalView>) =>
    queryClient.setQueryData<MineData>(queryKey, (old) => (old ? { ...old, items: old.items.map((x) => (x.id === s.id ? ({ ...x, ...patch } as SignalView) : x)) } : old));

  const moveStop = useMutation(
    trpc.signals.moveStop.mutationOptions({
      onMutate: async ({ stopLoss }) => {
        await queryClient.cancelQueries({ queryKey });
        const previous = queryClient.getQueryData<MineData>(queryKey);
        patchRow({ stopLoss: normalizeDecimal(stopLoss) });
        setMode(null);
        return { previous };
      },
      onError: (_err, _vars, ctx) => {
        if (ctx?.previous) queryClient.setQueryData(queryKey, ctx.previous);
        setMode("stop");
      },
      onSuccess: (next) => onDone(`Signal #${next.number}: stop moved to ${(next as FullSignalView).stopLoss}.`, false),
    }),
  );
  const close = useMutation(
    trpc.signals.close.mutationOptions({
      onMutate: () => setMode(null),
      onSuccess: (next) => {
        const n = next as FullSignalView;
        if (n.status === "closed") onDone(`Signal #${n.number} closed at ${formatPrice(n.exitPrice, precision)} (${formatReturn(n.resultPct)}).`, true);
        else onDone(`Signal #${n.number} partly closed: ${formatShare(n.remaining)} of the position stays open.`, false);
      },
    }),
  );
  const cancel = useMutation(
    trpc.signals.cancel.mutationOptions({
      onMutate: () => setMode(null),
      onSuccess: (next) => onDone(`Signal #${next.number} cancelled before it filled.`, true),
    }),
  );
  const busy = moveStop.isPending || close.isPending || cancel.isPending;
  const error = localError ?? (moveStop.error ?? close.error ?? cancel.error)?.message ?? null;

  // Focus moves into a panel when it opens and back to the button that opened it when it closes.
  useEffect(() => {
    if (mode) panelRef.current?.querySelector<HTMLElement>("input, button")?.focus();
    else if (lastMode.current) trigger.current?.focus();
    lastMode.current = mode;
  }, [mode]);

  // Triggers stay focusable while an action runs (aria-disabled, not disabled), so focus can return to them.
  const open = (m: Exclude<Mode, null>, from: HTMLButtonElement) => {
    if (busy) return;
    trigger.current = from;
    moveStop.reset();
    close.reset();
    cancel.reset();
    setLocalError(null);
    if (m === "stop") setStopDraft(s.stopLoss ?? "");
    if (m === "part") setPartDraft(shareToPercent(new Decimal(s.remaining).div(2).toDecimalPlaces(4).toString()));
    setMode((cur) => (cur === m ? null : m));
  };

  const pendingLabel = moveStop.isPending ? "Moving stop…" : close.isPending ? (close.variables?.share ? "Closing part…" : "Closing at market…") : cancel.isPending ? "Cancelling…" : null;
  const tone = resultTone(s.resultPct);

  return (
    <li
      data-testid="signal-row"
      aria-busy={busy || undefined}
      className={cn("px-5 py-4 transition-colors duration-1000", flash ? "bg-brand-50" : "bg-white", busy && "opacity-75")}
    >
      <div className="flex flex-wrap items-start justify-between gap-x-4 gap-y-2">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <span className="font-mono text-sm text-slate-500">#{s.number}</span>
          <span className="font-mono font-semibold text-slate-900">{s.symbol}</span>
          <SideBadge side={s.side} />
          <StatusBadge status={s.status} />
          {s.entryType === "limit" ? <Badge>Limit</Badge> : null}
          {pendingLabel ? (
            <span className="inline-flex items-center gap-1.5 text-xs font-medium text-slate-600">
              <Spinner className="size-3" /> {pendingLabel}
            </span>
          ) : null}
        </div>
        <p className="text-xs text-slate-500">
          {live ? "Published " : s.closedAt ? `${s.status === "closed" ? "Closed" : s.status === "cancelled" ? "Cancelled" : "Expired"} ` : ""}
          <RelativeTime date={live || !s.closedAt ? s.publishedAt : s.closedAt} /> · {sourceLabel(s.source)}
        </p>
      </div>

      <div className="mt-3 flex flex-wrap items-end justify-between gap-x-6 gap-y-3">
        <SignalLevels signal={s} precision={precision} />
        {live ? (
          s.status === "open" && s.remaining !== "1" ? (
            <p className="text-xs text-slate-500">
              <span className="font-mono text-sm text-slate-900">{formatShare(s.remaining)}</span> still open
            </p>
          ) : null
        ) : (
          <div className="text-right">
            {s.status === "closed" ? (
              <p className={cn("font-mono text-lg font-semibold tabular-nums", tone === "up" ? "text-emerald-700" : tone === "down" ? "text-red-700" : "text-slate-700")}>
                {formatReturn(s.resultPct)}
              </p>
            ) : null}
            <p className="text-xs text-slate-500">
              {s.status === "closed" ? (
                <>
                  {formatR(s.resultR)} · exit <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{formatPrice(s.exitPrice, precision)}</span> · {exitReasonLabel(s.exitReason)}
                </>
              ) : s.status === "cancelled" ? (
                "Cancelled before it filled; not a trade"
              ) : (
                "Expired before it filled; not a trade"
              )}
            </p>
          </div>
        )}
      </div>
      {s.note ? <p className="mt-2 line-clamp-2 text-sm text-slate-600">{s.note}</p> : null}

      {live ? (
        <div className="mt-3 flex flex-wrap gap-2 [&_[aria-disabled]]:cursor-not-allowed [&_[aria-disabled]]:opacity-60">
          <Button
              variant="secondary"
            size="sm"
            aria-expanded={mode === "stop"}
            aria-disabled={busy || undefined}
            onClick={(e) => open("stop", e.currentTarget)}
          >
            Move stop
          </Button>
          {s.status === "open" ? (
            <>
              <Button
                    variant="secondary"
                size="sm"
                aria-expanded={mode === "part"}
                aria-disabled={busy || undefined}
                onClick={(e) => open("part", e.currentTarget)}
              >
                Close part
              </Button>
              <Button
                    variant="secondary"
                size="sm"
                aria-expanded={mode === "close"}
                aria-disabled={busy || undefined}
                onClick={(e) => open("close", e.currentTarget)}
              >
                Close
              </Button>
            </>
          ) : (
            <Button
              variant="secondary"
              size="sm"
              aria-expanded={mode === "cancel"}
              aria-disabled={busy || undefined}
              onClick={(e) => open("cancel", e.currentTarget)}
            >
              Cancel
            </Button>
          )}
        </div>
      ) : null}

      {mode ? (
        <div
          ref={panelRef}
          className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              setMode(null);
            }
          }}
        >
          {mode === "stop" ? (
            <form
              className="flex flex-col gap-3 sm:flex-row sm:items-start"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                if (!isPrice(stopDraft)) return setLocalError("Enter the new stop as a price, like 29500.5");
                setLocalError(null);
                moveStop.mutate({ id: s.id, stopLoss: stopDraft.trim() });
              }}
            >
              <TextField
                label={`New stop for #${s.number}`}
                inputMode="decimal"
                autoComplete="off"
                value={stopDraft}
                onChange={(e) => setStopDraft(e.target.value)}
                hint={`Must stay ${s.side === "long" ? "below" : "above"} the ${s.status === "pending" ? "entry" : "market price"}. Recorded as an event; the original stop stays in the record.`}
                className="flex-1 [&_input]:font-mono [&_input::placeholder]:font-sans"
              />
              <div className="flex gap-2 sm:mt-6">
                <Button type="submit" size="md">
                  Save stop
                </Button>
                <Button type="button" variant="ghost" onClick={() => setMode(null)}>
                  Cancel
                </Button>
              </div>
            </form>
          ) : mode === "part" ? (
            <form
              className="flex flex-col gap-3 sm:flex-row sm:items-start"
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                const share = percentToShare(partDraft);
                if (!share || new Decimal(share).gt(s.remaining)) {
                  return setLocalError(`Enter a % of the original size up to ${shareToPercent(s.remaining)}`);
                }
                setLocalError(null);
                close.mutate({ id: s.id, share: new Decimal(share).toDecimalPlaces(4).toString() });
              }}
            >
              <TextField
                label={`Share of #${s.number} to close (%)`}
                inputMode="decimal"
                autoComplete="off"
                value={partDraft}
                onChange={(e) => setPartDraft(e.target.value)}
                hint={`Of the original size, at the market price. ${shareToPercent(s.remaining)}% is still open.`}
                className="flex-1 [&_input]:font-mono [&_input::placeholder]:font-sans"
              />
              <div className="flex gap-2 sm:mt-6">
                <Button type="submit" variant="danger">
                  Close part
                </Button>
                <Button type="button" variant="ghost" onClick={() => setMode(null)}>
                  Keep open
                </Button>
              </div>
            </form>
          ) : (
            <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
              <p className="text-sm text-slate-700">
                {mode === "close" ? (
                  <>
                    Close all of #{s.number} {s.symbol} at the market price? This is final and goes on your record.
                  </>
                ) : (
                  <>Cancel the pending limit entry #{s.number} {s.symbol}? It has not filled, so it will not count as a trade.</>
                )}
              </p>
              <div className="flex shrink-0 gap-2">
                <Button
                  type="button"
                  variant="danger"
                  onClick={() => (mode === "close" ? close.mutate({ id: s.id }) : cancel.mutate({ id: s.id }))}
                >
                  {mode === "close" ? "Close signal" : "Cancel signal"}
                </Button>
                <Button type="button" variant="ghost" onClick={() => setMode(null)}>
                  {mode === "close" ? "Keep open" : "Keep it"}
                </Button>
              </div>
            </div>
          )}
        </div>
      ) : null}
      {error ? (
        <p className="mt-2 text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}
