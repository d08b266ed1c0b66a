"use client";

import { useMutation, useQueryClient, type QueryKey } from "@tanstack/react-query";
import Decimal from "decimal.js";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { formatPrice, formatReturn, formatShare, percentToShare, shareToPercent } from "@/components/signals/format";
import { newStopLossSchema } from "@/lib/validation/signals";
import type { FullSignalView, SignalView } from "@/server/services/signals/views";
import type { MineData } from "./book-types";

type Mode = null | "stop" | "close" | "part" | "cancel";

/** The new stop, checked by the shared rule, in the form's words. */
const moveStopFormSchema = z.object({
  stopLoss: z.string().refine((v) => newStopLossSchema.safeParse(v).success, "Enter the new stop as a price, like 29500.5"),
});

/** The % of the original size to close: at most what is still open. */
const closePartFormSchema = (remaining: string) =>
  z.object({
    percent: z.string().refine((v) => {
      const share = percentToShare(v);
      return share !== null && !new Decimal(share).gt(remaining);
    }, `Enter a % of the original size up to ${shareToPercent(remaining)}`),
  });

const normalizeDecimal = (v: string) => (newStopLossSchema.safeParse(v).data ?? v.trim());

/**
 * A live signal's manual changes (move the stop, close part or all, cancel a pending entry): which panel is open, the
 * two small forms, the mutations (moving the stop shows at once and is rolled back if refused) and what the row says
 * while one runs. A form's message, or a refusal, shows under the row until another action is opened.
 */
export function useSignalActions({
  signal: s,
  precision,
  queryKey,
  onDone,
}: {
  signal: FullSignalView;
  precision?: number;
  queryKey: QueryKey;
  onDone: (message: string, rowLeaves: boolean) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<Mode>(null);
  const trigger = useRef<HTMLButtonElement | null>(null);
  const lastMode = useRef<Mode>(null);
  const stopForm = useForm<z.input<typeof moveStopFormSchema>>({
    defaultValues: { stopLoss: "" },
    resolver: zodResolver(moveStopFormSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const partForm = useForm<{ percent: string }>({
    defaultValues: { percent: "" },
    resolver: zodResolver(closePartFormSchema(s.remaining), undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });

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
  const formError = stopForm.formState.errors.stopLoss?.message ?? partForm.formState.errors.percent?.message ?? null;
  const error = formError ?? (moveStop.error ?? close.error ?? cancel.error)?.message ?? null;

  // Focus moves into a panel when it opens (ActionPanel) and back to the button that opened it when it closes.
  useEffect(() => {
    if (!mode && lastMode.current) trigger.current?.focus();
    lastMode.current = mode;
  }, [mode]);

  // Triggers stay focusable while an action runs (aria-disabled, not disabled), so focus can return to them.
  const open = (m: Exclude<Mode, null>, from: HTMLButtonElement) => {
    if (busy) return;
    trigger.current = from;
    moveStop.reset();
    close.reset();
    cancel.reset();
    stopForm.reset({ stopLoss: m === "stop" ? (s.stopLoss ?? "") : stopForm.getValues("stopLoss") });
    partForm.reset({ percent: m === "part" ? shareToPercent(new Decimal(s.remaining).div(2).toDecimalPlaces(4).toString()) : partForm.getValues("percent") });
    setMode((cur) => (cur === m ? null : m));
  };

  const submitStop = stopForm.handleSubmit(({ stopLoss }) => moveStop.mutate({ id: s.id, stopLoss: stopLoss.trim() }));
  const submitPart = partForm.handleSubmit(({ percent }) => close.mutate({ id: s.id, share: new Decimal(percentToShare(percent)!).toDecimalPlaces(4).toString() }));

  const pendingLabel = moveStop.isPending ? "Moving stop…" : close.isPending ? (close.variables?.share ? "Closing part…" : "Closing at market…") : cancel.isPending ? "Cancelling…" : null;

  return { mode, setMode, open, busy, error, pendingLabel, stopForm, partForm, submitStop, submitPart, closeAll: () => close.mutate({ id: s.id }), cancelEntry: () => cancel.mutate({ id: s.id }) };
}

type SignalActions = ReturnType<typeof useSignalActions>;

/** The buttons that open a live signal's panels. */
export function ActionButtons({ signal: s, actions: a }: { signal: FullSignalView; actions: SignalActions }) {
  const button = (m: Exclude<Mode, null>, label: string) => (
    <Button variant="secondary" size="sm" aria-expanded={a.mode === m} aria-disabled={a.busy || undefined} onClick={(e) => a.open(m, e.currentTarget)}>
      {label}
    </Button>
  );
  return (
    <div className="mt-3 flex flex-wrap gap-2 [&_[aria-disabled]]:cursor-not-allowed [&_[aria-disabled]]:opacity-60">
      {button("stop", "Move stop")}
      {s.status === "open" ? (
        <>
          {button("part", "Close part")}
          {button("close", "Close")}
        </>
      ) : (
        button("cancel", "Cancel")
      )}
    </div>
  );
}

/** The open panel: the new stop, the share to close, or the question before closing or cancelling. */
export function ActionPanel({ signal: s, actions: a }: { signal: FullSignalView; actions: SignalActions }) {
  const panelRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (a.mode) panelRef.current?.querySelector<HTMLElement>("input, button")?.focus();
  }, [a.mode]);
  if (!a.mode) return null;
  const keep = () => a.setMode(null);
  return (
    <div
      ref={panelRef}
      className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3"
      onKeyDown={(e) => {
        if (e.key === "Escape") {
          e.stopPropagation();
          keep();
        }
      }}
    >
      {a.mode === "stop" ? (
        <form className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate onSubmit={(e) => void a.submitStop(e)}>
          <TextField
            label={`New stop for #${s.number}`}
            inputMode="decimal"
            autoComplete="off"
            {...a.stopForm.register("stopLoss")}
            hint={`Must stay ${s.side === "long" ? "below" : "above"} the ${s.status === "pending" ? "entry" : "market price"}. Recorded as an event; the original stop stays in the record.`}
            className="flex-1 [&_input]:font-mono [&_input::placeholder]:font-sans"
          />
          <div className="flex gap-2 sm:mt-6">
            <Button type="submit" size="md">
              Save stop
            </Button>
            <Button type="button" variant="ghost" onClick={keep}>
              Cancel
            </Button>
          </div>
        </form>
      ) : a.mode === "part" ? (
        <form className="flex flex-col gap-3 sm:flex-row sm:items-start" noValidate onSubmit={(e) => void a.submitPart(e)}>
          <TextField
            label={`Share of #${s.number} to close (%)`}
            inputMode="decimal"
            autoComplete="off"
            {...a.partForm.register("percent")}
            hint={`Of the original size, at the market price. ${shareToPercent(s.remaining)}% is still open.`}
            className="flex-1 [&_input]:font-mono [&_input::placeholder]:font-sans"
          />
          <div className="flex gap-2 sm:mt-6">
            <Button type="submit" variant="danger">
              Close part
            </Button>
            <Button type="button" variant="ghost" onClick={keep}>
              Keep open
            </Button>
          </div>
        </form>
      ) : (
        <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-sm text-slate-700">
            {a.mode === "close" ? (
              <>
                Close all of #{s.number} {s.symbol} at the market price? This is final and goes on your record.
              </>
            ) : (
              <>Cancel the pending limit entry #{s.number} {s.symbol}? It has not filled, so it will not count as a trade.</>
            )}
          </p>
          <div className="flex shrink-0 gap-2">
            <Button type="button" variant="danger" onClick={a.mode === "close" ? a.closeAll : a.cancelEntry}>
              {a.mode === "close" ? "Close signal" : "Cancel signal"}
            </Button>
            <Button type="button" variant="ghost" onClick={keep}>
              {a.mode === "close" ? "Keep open" : "Keep it"}
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
