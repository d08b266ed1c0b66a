"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { zodResolver } from "@hookform/resolvers/zod";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useForm } from "react-hook-form";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Alert, Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Combobox } from "@/components/ui/combobox";
import { TextArea } from "@/components/ui/field";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";
import { messages, setServerErrors } from "@/components/forms/errors";
import { formatUtcDateTime } from "@/lib/format/dates";
import { setPlatformKillSwitchSchema, setProviderCopyStopSchema } from "@/lib/validation/copy";

type PlatformState = { on: true; reason: string; since: Date; actorId: string | null } | { on: false };
type Stopped = { providerId: string; slug: string; displayName: string; reason: string; since: Date; actorId: string | null };

/** The platform-wide switch: on, no new copy entries anywhere (exits still run). Turning it on needs a reason. */
export function PlatformSwitch({ state }: { state: PlatformState }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  const form = useForm<z.input<typeof setPlatformKillSwitchSchema>, unknown, z.output<typeof setPlatformKillSwitchSchema>>({
    defaultValues: { on: true, reason: "" },
    resolver: zodResolver(setPlatformKillSwitchSchema),
  });
  const set = useMutation(
    trpc.admin.copy.setPlatform.mutationOptions({
      onSuccess: (r) => {
        toast.success(r.on ? "Copying stopped platform-wide." : "Copying resumed platform-wide.");
        form.reset({ on: true, reason: "" });
        router.refresh();
      },
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["reason"]),
    }),
  );
  const onStop = form.handleSubmit(async (v) => {
    const ok = await confirm({
      title: "Stop all new copies on the platform?",
      description: "No follower's copy opens anywhere until you resume. Open copies keep following their signals' exits. Followers see that copying is paused by the platform.",
      confirmLabel: "Stop all new copies",
      destructive: true,
    });
    if (ok) set.mutate({ on: true, reason: v.reason });
  });
  const onResume = async () => {
    const ok = await confirm({ title: "Resume copying platform-wide?", description: "New signals are copied again for every follower whose own settings allow it.", confirmLabel: "Resume copying" });
    if (ok) set.mutate({ on: false, reason: "" });
  };

  return (
    <Card className={state.on ? "border-red-300" : undefined}>
      {confirmDialog}
      <CardHeader
        title="Platform kill switch"
        description="Stops every new copy entry on Tradsy, for every provider and follower."
        action={state.on ? <Badge tone="red">On: no new copies</Badge> : <Badge tone="green">Off: copying runs</Badge>}
      />
      <CardBody>
        {set.isError && !serverFieldErrors(set.error).reason ? <Alert tone="error" className="mb-4">{set.error.message}</Alert> : null}
        {state.on ? (
          <div className="space-y-4">
            <Alert tone="error">
              <p className="font-medium">Copying is stopped platform-wide since {formatUtcDateTime(state.since)}.</p>
              <p className="mt-1">Reason: {state.reason}</p>
              {state.actorId ? <p className="mt-1 text-xs">By admin {state.actorId}</p> : null}
            </Alert>
            <Button onClick={onResume} loading={set.isPending} disabled={!hydrated}>
              Resume copying
            </Button>
          </div>
        ) : (
          <form onSubmit={onStop} noValidate className="max-w-xl space-y-4">
            <TextArea
              label="Reason (shown in the audit log)"
              placeholder="e.g. Price feed outage on the paper venue"
              {...form.register("reason")}
              errors={messages(form.formState.errors.reason)}
              className="[&_textarea]:min-h-20"
            />
            <Button type="submit" variant="danger" loading={set.isPending} disabled={!hydrated}>
              Stop all new copies
            </Button>
          </form>
        )}
      </CardBody>
    </Card>
  );
}

function useDebounced(value: string, ms: number) {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = window.setTimeout(() => setV(value), ms);
    return () => window.clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Per-provider stops: search a provider and stop copying it (with a reason); the stopped ones listed with resume. */
export function ProviderStops({ stopped }: { stopped: Stopped[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  const [search, setSearch] = useState("");
  const q = useDebounced(search.trim(), 250);
  const found = useQuery(trpc.providers.list.queryOptions({ q: q || undefined, page: 1, pageSize: 20 }));
  const stoppedIds = new Set(stopped.map((s) => s.providerId));
  const options = (found.data?.items ?? []).map((p) => ({
    value: p.id,
    label: p.displayName,
    keywords: [p.slug],
    description: stoppedIds.has(p.id) ? "stopped" : p.slug,
    disabled: stoppedIds.has(p.id),
  }));
  const form = useForm<z.input<typeof setProviderCopyStopSchema>, unknown, z.output<typeof setProviderCopyStopSchema>>({
    defaultValues: { providerId: "", on: true, reason: "" },
    resolver: zodResolver(setProviderCopyStopSchema),
  });
  const [chosen, setChosen] = useState<{ id: string; name: string } | null>(null);
  const set = useMutation(
    trpc.admin.copy.setProvider.mutationOptions({
      onSuccess: (r, v) => {
        toast.success(r.on ? "Copying of that provider is stopped." : "Copying of that provider resumed.");
        if (v.on) {
          form.reset({ providerId: "", on: true, reason: "" });
          setChosen(null);
        }
        router.refresh();
      },
      onError: (err, v) => {
        if (v.on) setServerErrors(form.setError, serverFieldErrors(err), ["providerId", "reason"]);
      },
    }),
  );
  const onStop = form.handleSubmit(async (v) => {
    const ok = await confirm({
      title: `Stop copying ${chosen?.name ?? "this provider"}?`,
      description: "No follower opens a new copy of their signals until you resume. Open copies keep following their exits.",
      confirmLabel: "Stop copying",
      destructive: true,
    });
    if (ok) set.mutate({ providerId: v.providerId, on: true, reason: v.reason });
  });
  const onResume = async (s: Stopped) => {
    const ok = await confirm({ title: `Resume copying ${s.displayName}?`, description: "Followers copy their new signals again.", confirmLabel: "Resume copying" });
    if (ok) set.mutate({ providerId: s.providerId, on: false, reason: "" });
  };
  const errors = form.formState.errors;

  return (
    <Card>
      {confirmDialog}
      <CardHeader title="Stopped providers" description="Stop copying one provider's signals for every follower, for example while their feed is investigated." />
      <CardBody className="space-y-6">
        {set.isError && !Object.keys(serverFieldErrors(set.error)).length ? <Alert tone="error">{set.error.message}</Alert> : null}
        {stopped.length ? (
          <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" aria-label="Stopped providers">
            {stopped.map((s) => (
              <li key={s.providerId} className="flex flex-col gap-3 px-4 py-3 sm:flex-row sm:items-center sm:justify-between" data-testid="stopped-provider">
                <div className="min-w-0 text-sm">
                  <Link href={`/providers/${s.slug}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
                    {s.displayName}
                  </Link>
                  <p className="text-slate-600">{s.reason}</p>
                  <p className="text-xs text-slate-500">
                    Since {formatUtcDateTime(s.since)}
                    {s.actorId ? ` · by admin ${s.actorId}` : ""}
                  </p>
                </div>
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => void onResume(s)}
                  loading={set.isPending && set.variables?.providerId === s.providerId && !set.variables.on}
                  disabled={!hydrated}
                  className="shrink-0"
                >
                  Resume
                </Button>
              </li>
            ))}
          </ul>
        ) : (
          <p className="rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-600">No provider is stopped. Every provider&rsquo;s signals are copied as followers set.</p>
        )}

        <form onSubmit={onStop} noValidate className="max-w-xl space-y-4 border-t border-slate-100 pt-5">
          <h3 className="text-sm font-semibold text-slate-900">Stop a provider</h3>
          <Combobox
            label="Provider"
            options={options}
            value={chosen?.id ?? null}
            onValueChange={(value, option) => {
              setChosen(value && option ? { id: value, name: option.label } : null);
              form.setValue("providerId", value ?? "", { shouldValidate: form.formState.isSubmitted });
            }}
            search={search}
            onSearchChange={setSearch}
            filter={(o) => o}
            placeholder="Search providers by name"
            searchPlaceholder="Name or tagline"
            emptyText={found.isFetching ? "Searching…" : "No provider matches"}
            errors={messages(errors.providerId)}
          />
          <TextArea label="Reason (shown in the audit log)" {...form.register("reason")} errors={messages(errors.reason)} className="[&_textarea]:min-h-20" />
          <Button type="submit" variant="danger" loading={set.isPending && Boolean(set.variables?.on)} disabled={!hydrated}>
            Stop copying this provider
          </Button>
        </form>
      </CardBody>
    </Card>
  );
}
