"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { AlertMessage, RestExample } from "./alert-message";
import { WebhookPassphrase } from "./webhook-passphrase";
import { WebhookUrl } from "./webhook-url";

export type WebhookStatus = { configured: boolean; passphrase: boolean; appUrl: string; baseUrl: string };

const STEPS = [
  ["Create your webhook URL", "It is secret: anyone who has it can publish as you. We keep only a hash of it."],
  ["Add it to an alert", "In TradingView's alert dialog, under Notifications, tick Webhook URL and paste it."],
  ["Paste the message", "Use the template below as the alert's Message; buy, sell, exit and cancel are understood."],
] as const;

/** Publishing from TradingView: the webhook URL, its optional passphrase, the alert message to paste; and the REST API. */
export function TradingViewSection({ initial }: { initial: WebhookStatus }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery({ ...trpc.providers.webhook.queryOptions(), initialData: initial });
  // Only known in this browser right after it is set: the server keeps it encrypted and never sends it back.
  const [knownPassphrase, setKnownPassphrase] = useState<string | null>(null);
  const { configured, passphrase, appUrl, baseUrl } = status.data;
  /** Shows a change at once; the refetch then confirms it. */
  const patchStatus = (patch: Partial<WebhookStatus>) => {
    queryClient.setQueryData(trpc.providers.webhook.queryKey(), (old) => (old ? { ...old, ...patch } : old));
    void queryClient.invalidateQueries({ queryKey: trpc.providers.webhook.queryKey() });
  };

  return (
    <Card id="tradingview">
      <CardHeader
        title="TradingView alerts"
        description="Publish straight from TradingView: an alert that calls your private webhook becomes a signal, checked by the same rules as the form."
        action={configured ? <Badge tone="green">Webhook active</Badge> : <Badge>Not set up</Badge>}
      />
      <CardBody className="space-y-6">
        <ol className="grid gap-4 text-sm sm:grid-cols-3">
          {STEPS.map(([title, body], i) => (
            <li key={title} className="flex gap-3">
              <span aria-hidden="true" className="flex size-6 shrink-0 items-center justify-center rounded-full bg-brand-50 text-xs font-semibold text-brand-800 ring-1 ring-brand-100">
                {i + 1}
              </span>
              <div>
                <p className="font-medium text-slate-900">{title}</p>
                <p className="mt-0.5 text-slate-600">{body}</p>
              </div>
            </li>
          ))}
        </ol>
        <WebhookUrl configured={configured} baseUrl={baseUrl} onCreated={() => patchStatus({ configured: true })} />
        <WebhookPassphrase
          isSet={passphrase}
          onSaved={(value) => {
            setKnownPassphrase(value);
            patchStatus({ passphrase: Boolean(value) });
          }}
        />
        <AlertMessage passphrase={{ set: passphrase, value: knownPassphrase }} />
        <RestExample appUrl={appUrl} />
      </CardBody>
    </Card>
  );
}
