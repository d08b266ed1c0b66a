"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { SelectField } from "@/components/ui/select";
import { messages, setServerErrors } from "@/components/forms/errors";
import { formatDateTime } from "@/lib/format/dates";
import { addDiscordSchema, addWebhookSchema } from "@/lib/validation/channels";
import type { Destination } from "./types";

type Kind = "discord" | "telegram" | "webhook";

const PURPOSES = [
  { value: "alerts", label: "My alerts (the providers I follow, my copies)" },
  { value: "community", label: "My community (my own signals)" },
];

/** The three ways to add a destination, one form at a time. */
export function AddDestination({ telegramEnabled, canPostToCommunity, destinations }: { telegramEnabled: boolean; canPostToCommunity: boolean; destinations: Destination[] }) {
  const [open, setOpen] = useState<Kind | null>(null);
  const toggle = (kind: Kind) => setOpen((o) => (o === kind ? null : kind));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap gap-2" role="group" aria-label="Add a destination">
        <Button variant={open === "discord" ? "primary" : "secondary"} size="sm" aria-expanded={open === "discord"} onClick={() => toggle("discord")}>
          Add Discord webhook
        </Button>
        <Button variant={open === "telegram" ? "primary" : "secondary"} size="sm" aria-expanded={open === "telegram"} onClick={() => toggle("telegram")} disabled={!telegramEnabled}>
          Link Telegram
        </Button>
        <Button variant={open === "webhook" ? "primary" : "secondary"} size="sm" aria-expanded={open === "webhook"} onClick={() => toggle("webhook")}>
          Add webhook endpoint
        </Button>
      </div>
      {!telegramEnabled ? <p className="text-xs text-slate-500">Telegram is not set up on this server (the operator sets TELEGRAM_BOT_TOKEN).</p> : null}
      {open === "discord" ? <DiscordForm canPostToCommunity={canPostToCommunity} onDone={() => setOpen(null)} /> : null}
      {open === "telegram" ? <TelegramLink destinations={destinations} /> : null}
      {open === "webhook" ? <WebhookForm canPostToCommunity={canPostToCommunity} /> : null}
    </div>
  );
}

function useInvalidateList() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
}

function DiscordForm({ canPostToCommunity, onDone }: { canPostToCommunity: boolean; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateList();
  const form = useForm<z.input<typeof addDiscordSchema>>({
    defaultValues: { label: "", url: "", purpose: "alerts" },
    resolver: zodResolver(addDiscordSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
  });
  const purpose = useWatch({ control: form.control, name: "purpose" });
  const add = useMutation(
    trpc.channels.addDiscord.mutationOptions({
      onSuccess: () => {
        void invalidate();
        onDone();
      },
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["label", "url", "purpose"]),
    }),
  );
  const placed = add.isError && Object.keys(serverFieldErrors(add.error)).length > 0;
  return (
    <form className="max-w-xl space-y-3 rounded-md border border-slate-200 p-4" onSubmit={form.handleSubmit((v) => add.mutate(v))} noValidate aria-label="Add a Discord webhook">
      <p className="text-sm text-slate-600">In Discord: Channel settings → Integrations → Webhooks → New webhook → Copy Webhook URL. Then send a test message from the list below.</p>
      <TextField label="Name" placeholder="e.g. Trading desk" {...form.register("label")} errors={messages(form.formState.errors.label)} />
      <TextField label="Discord webhook URL" placeholder="https://discord.com/api/webhooks/…" autoComplete="off" {...form.register("url")} errors={messages(form.formState.errors.url)} />
      {canPostToCommunity ? (
        <SelectField label="Posts" options={PURPOSES} value={purpose ?? "alerts"} onValueChange={(v) => form.setValue("purpose", v as "alerts" | "community")} />
      ) : null}
      {add.isError && !placed ? <Alert tone="error">{add.error.message}</Alert> : null}
      <Button type="submit" loading={add.isPending}>
        Add Discord webhook
      </Button>
    </form>
  );
}

function WebhookForm({ canPostToCommunity }: { canPostToCommunity: boolean }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateList();
  const [created, setCreated] = useState<{ label: string; secret: string } | null>(null);
  const form = useForm<z.input<typeof addWebhookSchema>>({
    defaultValues: { label: "", url: "", purpose: "alerts" },
    resolver: zodResolver(addWebhookSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
  });
  const purpose = useWatch({ control: form.control, name: "purpose" });
  const add = useMutation(
    trpc.channels.addWebhook.mutationOptions({
      onSuccess: (row, input) => {
        setCreated({ label: input.label, secret: row.secret });
        form.reset({ label: "", url: "", purpose: "alerts" });
        void invalidate();
      },
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["label", "url", "purpose"]),
    }),
  );
  const placed = add.isError && Object.keys(serverFieldErrors(add.error)).length > 0;
  return (
    <div className="max-w-xl space-y-3 rounded-md border border-slate-200 p-4">
      {created ? <OneTimeSecret label={created.label} secret={created.secret} /> : null}
      <form className="space-y-3" onSubmit={form.handleSubmit((v) => add.mutate(v))} noValidate aria-label="Add a webhook endpoint">
        <p className="text-sm text-slate-600">
          We POST each event as JSON to your https endpoint, signed with a secret (the Tradsy-Signature header), and retry for 24 hours until it answers 2xx.
        </p>
        <TextField label="Name" placeholder="e.g. My bot" {...form.register("label")} errors={messages(form.formState.errors.label)} />
        <TextField label="Endpoint URL" placeholder="https://example.com/hooks/tradsy" autoComplete="off" {...form.register("url")} errors={messages(form.formState.errors.url)} />
        {canPostToCommunity ? (
          <SelectField label="Sends" options={PURPOSES} value={purpose ?? "alerts"} onValueChange={(v) => form.setValue("purpose", v as "alerts" | "community")} />
        ) : null}
        {add.isError && !placed ? <Alert tone="error">{add.error.message}</Alert> : null}
        <Button type="submit" loading={add.isPending}>
          Add endpoint
        </Button>
      </form>
    </div>
  );
}

/** A signing secret, shown once (after adding an endpoint or rolling its secret), with a copy button. */
export function OneTimeSecret({ label, secret }: { label: string; secret: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Alert tone="success">
      <p className="font-medium">Signing secret of “{label}”. Copy it now: it will not be shown again.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code data-testid="webhook-secret" className="rounded bg-white px-2 py-1 font-mono text-sm break-all text-slate-900 ring-1 ring-emerald-200">
          {secret}
        </code>
        <Button variant="secondary" size="sm" onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}>
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </Alert>
  );
}

/** Linking a chat: a one-time code for the bot; the list (polled while a link is pending) shows when it is linked. */
function TelegramLink({ destinations }: { destinations: Destination[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateList();
  const [label, setLabel] = useState("");
  const start = useMutation(trpc.channels.startTelegramLink.mutationOptions({ onSuccess: () => void invalidate() }));
  const pending = start.data ? destinations.find((d) => d.id === start.data.channelId) : undefined;
  // When the code runs out the list is read again (the server leaves expired links out) and the panel says so.
  const [expiredCode, setExpiredCode] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const started = start.data;
  useEffect(() => {
    if (!started) return;
    const timer = setTimeout(
      () => {
        setExpiredCode(started.code);
        void queryClient.invalidateQueries({ queryKey: trpc.channels.list.queryKey() });
      },
      Math.max(0, new Date(started.expiresAt).getTime() - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [started, queryClient, trpc]);
  if (start.data && pending?.status === "active") {
    return (
      <Alert tone="success" className="max-w-xl">
        Linked: “{pending.label}” ({pending.telegramChatName ?? "your chat"}) now receives your alerts. Send it a test message below.
      </Alert>
    );
  }
  if (start.data && expiredCode === start.data.code) {
    return (
      <Alert tone="info" className="max-w-xl">
        That code has expired (or was used from a chat you had already linked: that destination below is active again).{" "}
        <Button variant="secondary" size="sm" onClick={() => start.reset()}>
          Link again
        </Button>
      </Alert>
    );
  }
  // The pending destination is gone before it was linked: the code was sent from a chat this account had already
  // linked (that destination was revived instead, keeping its choices), or it was removed from the list.
  if (start.data && !pending && destinations.length > 0) {
    return (
      <Alert tone="info" className="max-w-xl">
        That code has been used. If you sent it from a chat you had already linked, that chat&apos;s destination below is active again, with its choices.
      </Alert>
    );
  }
  return (
    <div className="max-w-xl space-y-3 rounded-md border border-slate-200 p-4" aria-label="Link a Telegram chat" role="group">
      {start.data ? (
        <div className="space-y-2" data-testid="telegram-link">
          <p className="text-sm text-slate-700">
            Open the bot and press Start, or send it this message from the chat you want alerts in (a group works too: add the bot first):
          </p>
          <code className="block rounded bg-slate-50 px-3 py-2 font-mono text-sm text-slate-900 ring-1 ring-slate-200">/start {start.data.code}</code>
          <div className="flex flex-wrap items-center gap-3">
            <a href={start.data.deepLink} target="_blank" rel="noreferrer" className="text-sm font-medium text-brand-700 underline">
              Open the bot in Telegram
            </a>
            <a href={start.data.groupLink} target="_blank" rel="noreferrer" className="text-sm font-medium text-brand-700 underline">
              Add it to a group
            </a>
            <span className="text-xs text-slate-500">The code works once, until {formatDateTime(start.data.expiresAt)}.</span>
          </div>
          <p className="flex items-center gap-2 text-sm text-slate-600" role="status">
            <span className="size-2 animate-pulse rounded-full bg-amber-500" aria-hidden="true" />
            Waiting for the chat… this list updates when it is linked.
          </p>
        </div>
      ) : (
        <form
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            start.mutate(label.trim() ? { label: label.trim() } : {});
          }}
        >
          <TextField label="Name (optional)" placeholder="e.g. My phone" value={label} onChange={(e) => setLabel(e.target.value)} errors={start.isError ? [start.error.message] : undefined} />
          <Button type="submit" loading={start.isPending}>
            Get a link code
          </Button>
        </form>
      )}
    </div>
  );
}
