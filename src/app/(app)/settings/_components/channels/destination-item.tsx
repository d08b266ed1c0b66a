"use client";

import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Alert, Badge } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Checkbox } from "@/components/ui/field";
import { formatDateTime } from "@/lib/format/dates";
import { CHANNEL_EVENT_LABEL, CHANNEL_EVENT_TYPES, COMMUNITY_EVENT_TYPES, type ChannelEventType } from "@/lib/channels/events";
import { OneTimeSecret } from "./add-destination";
import type { Destination } from "./types";

const KIND_LABEL = { discord: "Discord", telegram: "Telegram", webhook: "Webhook" } as const;

export function StatusBadge({ d }: { d: Pick<Destination, "status" | "failingSince"> }) {
  if (d.status === "pending") return <Badge tone="amber">Waiting for the chat</Badge>;
  if (d.status === "disabled") return <Badge tone="red">Disabled</Badge>;
  if (d.failingSince) return <Badge tone="amber">Failing</Badge>;
  return <Badge tone="green">Active</Badge>;
}

/** One destination: its state, its choices (events, per provider, levels for a community) and its actions. */
export function DestinationItem({ d }: { d: Destination }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
  const { confirm, confirmDialog } = useConfirm();
  const [events, setEvents] = useState<ChannelEventType[]>(d.events);
  const [prefs, setPrefs] = useState(d.providerPrefs);
  const [secret, setSecret] = useState<string | null>(null);
  const update = useMutation(trpc.channels.update.mutationOptions({ onSuccess: () => void invalidate() }));
  const test = useMutation(trpc.channels.sendTest.mutationOptions());
  const roll = useMutation(trpc.channels.rollSecret.mutationOptions({ onSuccess: (r) => setSecret(r.secret) }));
  const remove = useMutation(trpc.channels.remove.mutationOptions({ onSuccess: () => void invalidate() }));
  const choices = d.purpose === "community" ? COMMUNITY_EVENT_TYPES : CHANNEL_EVENT_TYPES;
  const where = d.kind === "telegram" ? (d.telegramChatName ?? "Telegram chat") : d.urlHint;
  const changed = JSON.stringify(events) !== JSON.stringify(d.events) || JSON.stringify(prefs) !== JSON.stringify(d.providerPrefs);
  const error = update.error ?? test.error ?? roll.error ?? remove.error;

  return (
    <li className="space-y-3 rounded-md border border-slate-200 p-4" data-testid="channel-row" aria-label={d.label}>
      {confirmDialog}
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <p className="font-medium text-slate-900">
            {d.label} <span className="text-sm font-normal text-slate-500">· {KIND_LABEL[d.kind]}{d.purpose === "community" ? " · community" : ""}</span>
          </p>
          {where ? <p className="font-mono text-xs break-all text-slate-500">{where}</p> : null}
        </div>
        <StatusBadge d={d} />
      </div>
      {d.status === "disabled" ? (
        <Alert tone="warning">
          Disabled{d.disabledAt ? ` on ${formatDateTime(d.disabledAt)}` : ""}: {d.disabledReason ?? "no reason recorded"}. Remove it and add it again once it works.
        </Alert>
      ) : null}
      {d.status === "pending" && d.linkExpiresAt ? <p className="text-sm text-slate-600">Send the code to the bot before {formatDateTime(d.linkExpiresAt)}.</p> : null}
      {d.status === "active" && d.failingSince ? <p className="text-sm text-amber-700">Every send has failed since {formatDateTime(d.failingSince)}; after 24 hours it is disabled and you get an email.</p> : null}
      {d.lastSuccessAt ? <p className="text-xs text-slate-500">Last delivered {formatDateTime(d.lastSuccessAt)}</p> : null}

      <fieldset className="space-y-1">
        <legend className="text-sm font-semibold text-slate-900">Events</legend>
        <div className="grid gap-1 sm:grid-cols-2">
          {choices.map((e) => (
            <Checkbox
              key={e}
              label={CHANNEL_EVENT_LABEL[e]}
              checked={events.includes(e)}
              onChange={(ev) => setEvents((cur) => (ev.target.checked ? CHANNEL_EVENT_TYPES.filter((c) => c === e || cur.includes(c)) : cur.filter((c) => c !== e)))}
            />
          ))}
        </div>
      </fieldset>

      {d.purpose === "community" ? (
        <Checkbox
          label="Post open signals' market, side and levels here (anyone in the channel sees them, subscribers or not)"
          checked={d.includeLevels}
          onChange={async (ev) => {
            const on = ev.target.checked;
            if (on && !(await confirm({ title: "Post open levels to this channel?", description: "Everyone who can read the channel will see your open signals' levels.", confirmLabel: "Post levels" }))) return;
            update.mutate({ id: d.id, includeLevels: on });
          }}
        />
      ) : null}

      {d.purpose === "alerts" && prefs.length ? (
        <fieldset className="space-y-1">
          <legend className="text-sm font-semibold text-slate-900">Per provider</legend>
          <table className="w-full max-w-lg text-sm">
            <thead>
              <tr className="text-left text-slate-500">
                <th className="py-1 font-medium">Provider</th>
                <th className="py-1 font-medium">New signals</th>
                <th className="py-1 font-medium">Closed</th>
              </tr>
            </thead>
            <tbody>
              {prefs.map((p, i) => (
                <tr key={p.providerId}>
                  <td className="py-1 pr-3 text-slate-800">{p.name}</td>
                  {(["newSignal", "signalClosed"] as const).map((k) => (
                    <td key={k} className="py-1">
                      <input
                        type="checkbox"
                        className="size-4 accent-brand-700"
                        aria-label={`${k === "newSignal" ? "New signals" : "Closed signals"} from ${p.name}`}
                        checked={p[k]}
                        onChange={(ev) => setPrefs((cur) => cur.map((c, j) => (j === i ? { ...c, [k]: ev.target.checked } : c)))}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </fieldset>
      ) : null}

      {secret ? <OneTimeSecret label={d.label} secret={secret} /> : null}
      {error ? <Alert tone="error">{error.message}</Alert> : null}
      {test.isSuccess ? <Alert tone="success">Test message queued: see the delivery log for the answer.</Alert> : null}

      <div className="flex flex-wrap gap-2">
        {changed ? (
          <Button
            size="sm"
            loading={update.isPending}
            onClick={() =>
              update.mutate({
                id: d.id,
                events,
                ...(d.purpose === "alerts" ? { providerPrefs: prefs.map(({ providerId, newSignal, signalClosed }) => ({ providerId, newSignal, signalClosed })) } : {}),
              })
            }
          >
            Save choices
          </Button>
        ) : null}
        {d.status === "active" ? (
          <Button variant="secondary" size="sm" aria-label={`Send a test message to ${d.label}`} loading={test.isPending} onClick={() => test.mutate({ id: d.id })}>
            Send a test message
          </Button>
        ) : null}
        <Link
          href={`/settings/channels/${d.id}`}
          aria-label={`Delivery log of ${d.label}`}
          className="inline-flex h-8 items-center rounded-md px-3 text-sm font-medium text-brand-700 hover:bg-slate-50"
        >
          Delivery log
        </Link>
        {d.kind === "webhook" ? (
          <Button
            variant="ghost"
            size="sm"
            aria-label={`Roll the signing secret of ${d.label}`}
            loading={roll.isPending}
            onClick={async () => {
              if (await confirm({ title: "Roll the signing secret?", description: "The current secret stops verifying at once: update your endpoint with the new one.", confirmLabel: "Roll secret", destructive: true })) roll.mutate({ id: d.id });
            }}
          >
            Roll secret
          </Button>
        ) : null}
        <Button
          variant="ghost"
          size="sm"
          aria-label={`Remove ${d.label}`}
          loading={remove.isPending}
          onClick={async () => {
            const ok = await confirm({
              title: `Remove “${d.label}”?`,
              description: d.kind === "telegram" ? "The chat is told it was unlinked. Its delivery log goes too." : "Nothing more is sent there. Its delivery log goes too.",
              confirmLabel: "Remove",
              destructive: true,
            });
            if (ok) remove.mutate({ id: d.id });
          }}
        >
          Remove
        </Button>
      </div>
    </li>
  );
}
