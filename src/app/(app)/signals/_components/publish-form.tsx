"use client";

import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Decimal from "decimal.js";
import { useEffect, useRef, useState } from "react";
import { useForm, useWatch, type Resolver } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert, Card, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { TextArea, TextField } from "@/components/ui/field";
import { messages } from "@/components/forms/errors";
import { formatPrice, percentToShare } from "@/components/signals/format";
import { previewRisk } from "@/components/signals/risk";
import { RiskPreviewPanel } from "@/components/signals/risk-preview";
import { SymbolCombobox } from "@/components/signals/symbol-combobox";
import type { SymbolInfo } from "@/lib/market-data/types";
import type { PublishSignalInput } from "@/lib/validation/signals";
import type { FullSignalView } from "@/server/services/signals/views";
import { SegmentedRadio, SelectWithHint } from "./choice-fields";
import { LEVELS_ERROR, placeServerErrors, publishFormDefaults, publishFormSchema, type PublishFormContext, type PublishFormValues } from "./publish-form-schema";
import { PublishedNotice, type Published } from "./published-notice";
import { QuoteLine } from "./quote-line";
import { TakeProfitFields } from "./take-profit-fields";

const QUOTE_REFRESH_MS = 10_000;

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
].map((o) => ({ value: String(o.hours), label: o.label }));

/** A key per form submission, so a retried request (double click, flaky network) publishes once. */
function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `ui:${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The form's schema depends on the live quote, which react-hook-form hands the resolver as its context. */
const resolver: Resolver<PublishFormValues, PublishFormContext, PublishSignalInput> = (values, context, options) =>
  zodResolver(publishFormSchema(context ?? { chosenSymbol: null, marketPrice: null }))(values, context, options);

/**
 * The publish form. Errors stay until the next submit (or until their field is edited), as the form's own checks and
 * the server's refusals both land on the fields; focus then goes to the first field in error.
 */
export function PublishForm({ symbols, marketSource }: { symbols: SymbolInfo[]; marketSource: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();

  // The symbol chosen from the list (its precision and quote); the form's `symbol` is the field's text.
  const [chosen, setChosen] = useState<SymbolInfo | null>(null);
  const [published, setPublished] = useState<Published | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [focusTick, setFocusTick] = useState<{ target: "error" | "success"; n: number } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const successRef = useRef<HTMLDivElement>(null);

  const quote = useQuery(
    trpc.signals.quote.queryOptions(chosen ? { symbol: chosen.symbol } : skipToken, {
      refetchInterval: QUOTE_REFRESH_MS,
      refetchIntervalInBackground: false,
      staleTime: QUOTE_REFRESH_MS / 2,
    }),
  );
  const marketPrice = quote.data && chosen && quote.data.symbol === chosen.symbol ? quote.data.price : null;

  const form = useForm<PublishFormValues, PublishFormContext, PublishSignalInput>({
    defaultValues: publishFormDefaults(),
    resolver,
    context: { chosenSymbol: chosen?.symbol ?? null, marketPrice },
    // Like the server's refusals, the form's messages stay until the next submit or an edit of their field.
    reValidateMode: "onSubmit",
    // Focus goes to the first field in error in the page's order (below), whichever check found it.
    shouldFocusError: false,
  });
  // The radios, the select and the entry field (the quote or the limit price typed) are controlled by the watched
  // values; the text fields are registered.
  const { control, register, setValue, clearErrors, setError, formState } = form;
  const { errors } = formState;
  // Every field has a default, so the watched values are whole.
  const values = useWatch({ control }) as PublishFormValues;
  const { side, entryType } = values;

  // A market entry is the market price: the field shows the live quote and the server checks it is still within
  // tolerance when the signal is recorded.
  const entryValue = entryType === "market" ? (marketPrice ?? "") : values.entryPrice;
  const parsedTargets = values.takeProfits.map((t) => ({ price: t.price, share: t.size.trim() ? percentToShare(t.size) : null }));
  const preview = previewRisk({ side, entry: entryValue, stop: values.stopLoss, targets: parsedTargets });
  const assigned = parsedTargets.reduce((acc, t) => (t.share ? acc.plus(t.share) : acc), new Decimal(0));

  const focusFirstError = () => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], [data-focus-on-error]')?.focus();
  useEffect(() => {
    if (!focusTick) return;
    if (focusTick.target === "success") successRef.current?.focus();
    else focusFirstError();
  }, [focusTick]);
  // After a submit the form's own checks refused: react-hook-form renders their errors with the new submit count.
  const { submitCount, isSubmitSuccessful } = formState;
  useEffect(() => {
    if (submitCount && !isSubmitSuccessful) focusFirstError();
  }, [submitCount, isSubmitSuccessful]);

  const publish = useMutation(
    trpc.signals.publish.mutationOptions({
      onSuccess: ({ signal, created }) => {
        const s = signal as FullSignalView;
        setPublished({ number: s.number, symbol: s.symbol, side: s.side, entryType: s.entryType, entryPrice: s.entryPrice, precision: chosen?.pricePrecision, created });
        form.reset(publishFormDefaults());
        setChosen(null);
        setIdempotencyKey(newIdempotencyKey());
        setFocusTick((t) => ({ target: "success", n: (t?.n ?? 0) + 1 }));
        void queryClient.invalidateQueries({ queryKey: trpc.signals.mine.pathKey() });
      },
      onError: (err) => {
        const placed = placeServerErrors(serverFieldErrors(err), form.getValues());
        for (const [field, message] of placed ?? []) setError(field, { type: "server", message });
        if (!placed) setError("root.server", { type: "server", message: err.message });
        setFocusTick((t) => ({ target: "error", n: (t?.n ?? 0) + 1 }));
      },
    }),
  );

  const submit = form.handleSubmit((input) => publish.mutate({ ...input, idempotencyKey }));

  const setSymbol = (next: SymbolInfo | null) => {
    setChosen(next);
    clearErrors(["symbol", "entryPrice"]);
  };
  const setSymbolQuery = (text: string) => {
    form.setValue("symbol", text);
    clearErrors("symbol");
  };

  const entryHint =
    entryType === "market" ? (
      chosen ? (
        <QuoteLine loading={quote.isFetching} at={quote.data?.at ?? null} error={quote.isError ? quote.error.message : null} onRetry={() => void quote.refetch()} />
      ) : (
        "Choose a symbol to load its market price."
      )
    ) : marketPrice ? (
      <>
        Market is <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{formatPrice(marketPrice, chosen?.pricePrecision)}</span>: a {side} limit must be {side === "long" ? "below" : "above"} it.
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
      <form
        ref={formRef}
        onSubmit={(e) => {
          e.preventDefault();
          if (publish.isPending) return;
          setPublished(null);
          clearErrors("root.server");
          void submit(e);
        }}
        noValidate
        aria-describedby="publish-help"
      >
        <div className="grid xl:grid-cols-[minmax(0,1fr)_20rem]">
          <div className="space-y-5 px-5 py-5">
            {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}

            <SymbolCombobox symbols={symbols} value={chosen} onChange={setSymbol} query={values.symbol} onQueryChange={setSymbolQuery} errors={messages(errors.symbol)} />

            <div className="grid gap-4 sm:grid-cols-2">
              <SegmentedRadio<PublishFormValues["side"]>
                legend="Direction"
                name="side"
                value={side}
                onChange={(v) => {
                  setValue("side", v);
                  clearErrors(["stopLoss", LEVELS_ERROR, "entryPrice", "takeProfits.0.price", "takeProfits.1.price", "takeProfits.2.price"]);
                }}
                options={[
                  { value: "long", label: "Long", glyph: "▲", tone: "green" },
                  { value: "short", label: "Short", glyph: "▼", tone: "red" },
                ]}
              />
              <SegmentedRadio<PublishFormValues["entryType"]>
                legend="Entry"
                name="entryType"
                value={entryType}
                onChange={(v) => {
                  setValue("entryType", v);
                  clearErrors(["entryPrice", "expiresInHours"]);
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
                placeholder={entryType === "market" ? (chosen ? "Loading…" : "Market price") : marketPrice ? formatPrice(marketPrice, chosen?.pricePrecision) : "e.g. 31800"}
                onChange={(e) => {
                  setValue("entryPrice", e.target.value);
                  clearErrors("entryPrice");
                }}
                hint={entryHint}
                errors={messages(errors.entryPrice)}
                className={cn("[&_input]:font-mono [&_input::placeholder]:font-sans", entryType === "market" && "[&_input]:bg-slate-50 [&_input]:text-slate-700")}
              />
              <TextField
                label="Stop-loss"
                inputMode="decimal"
                autoComplete="off"
                placeholder={side === "long" ? "Below entry" : "Above entry"}
                {...register("stopLoss", { onChange: () => clearErrors("stopLoss") })}
                hint={preview?.riskPct ? `${preview.riskPct.toDecimalPlaces(2).toFixed(2)}% from entry` : "Optional, but without one there is no R multiple."}
                errors={messages(errors.stopLoss)}
                className="[&_input]:font-mono [&_input::placeholder]:font-sans"
              />
              {entryType === "limit" ? (
                <SelectWithHint
                  label="Expires after"
                  value={values.expiresInHours}
                  onChange={(v) => setValue("expiresInHours", v)}
                  options={EXPIRY_OPTIONS}
                  hint="Cancelled if not filled by then."
                  errors={messages(errors.expiresInHours)}
                />
              ) : null}
            </div>

            <TakeProfitFields form={form} values={values} assigned={assigned} />

            <TextArea
              label="Note"
              maxLength={1000}
              placeholder="Why this trade? Subscribers see it with the signal."
              {...register("note", { onChange: () => clearErrors("note") })}
              errors={messages(errors.note)}
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
                    ? chosen
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
      {published ? <PublishedNotice ref={successRef} published={published} onDismiss={() => setPublished(null)} /> : null}
    </Card>
  );
}
