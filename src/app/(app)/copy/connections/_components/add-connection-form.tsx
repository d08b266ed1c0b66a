"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Controller, useForm, useWatch } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Combobox } from "@/components/ui/combobox";
import { Checkbox, TextField } from "@/components/ui/field";
import { LabelledSwitch } from "@/components/copy/switch";
import { messages, setServerErrors } from "@/components/forms/errors";
import { useStepUp } from "@/components/security/step-up-dialog";
import type { CreateConnectionInput } from "@/lib/validation/exchanges";
import { CONNECTION_FORM_DEFAULTS, CONNECTION_SERVER_FIELDS, connectionFormSchema, isLive, type ConnectionFormValues } from "./connection-form-schema";
import type { ConnectionItem, ExchangeItem } from "./types";

const LOCAL = "local";

/**
 * Adds an exchange connection: the exchange, a name, the credentials it takes, sandbox on by default, a live
 * confirmation where it is off (or the exchange has none), and how to make a safe key, up front. The exchange checks
 * the key when it is sent; a refused key comes back as a connection that is not working, with the exchange's reason.
 * The typed credentials are cleared from the form whatever the answer.
 */
export function AddConnectionForm({ exchanges, onAdded }: { exchanges: ExchangeItem[]; onAdded?: (c: ConnectionItem) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const schema = useMemo(() => connectionFormSchema(exchanges), [exchanges]);
  const defaults: ConnectionFormValues = { ...CONNECTION_FORM_DEFAULTS, exchangeId: exchanges[0]?.id === LOCAL ? LOCAL : "" };
  const form = useForm<ConnectionFormValues, unknown, CreateConnectionInput>({ defaultValues: defaults, resolver: zodResolver(schema), mode: "onTouched" });
  const [outcome, setOutcome] = useState<ConnectionItem | Omit<ConnectionItem, "followings" | "openCopies"> | null>(null);
  // With two-factor sign-in on, adding keys needs a code confirmed in the last 10 minutes: asked, then resent.
  const { guard, stepUpDialog } = useStepUp();
  const create = useMutation(
    guard(
      trpc.exchanges.create.mutationOptions({
        onSuccess: (c) => {
          setOutcome(c);
          form.reset({ ...CONNECTION_FORM_DEFAULTS, exchangeId: form.getValues("exchangeId") });
          void queryClient.invalidateQueries(trpc.exchanges.pathFilter());
          onAdded?.({ ...c, followings: 0, openCopies: 0 });
        },
        onError: (err) => {
          // The credentials never stay in the page after they were sent, refused or not.
          form.resetField("apiKey");
          form.resetField("secret");
          form.resetField("password");
          setServerErrors(form.setError, serverFieldErrors(err), CONNECTION_SERVER_FIELDS);
        },
      }),
    ),
  );
  const values = useWatch({ control: form.control });
  const exchange = exchanges.find((e) => e.id === values.exchangeId);
  const local = exchange?.id === LOCAL;
  const live = isLive(exchange, values.sandbox ?? true);
  const { errors } = form.formState;
  const err = (name: keyof ConnectionFormValues) => messages(errors[name]);
  const placed = create.isError && CONNECTION_SERVER_FIELDS.some((f) => serverFieldErrors(create.error)[f]?.length);
  const credentialFields = local ? (["apiKey", "secret"] as const) : (exchange?.credentials ?? []);

  const onSubmit = form.handleSubmit((input) => {
    setOutcome(null);
    create.mutate(input);
  });

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-5" aria-label="Add an exchange connection">
      {/* In a portal; its code form stops its submit event from reaching this form (see CodeForm). */}
      {stepUpDialog}
      {create.isError && !placed ? <Alert tone="error">{create.error.message}</Alert> : null}
      {outcome ? <Outcome connection={outcome} /> : null}

      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-1">
        <Controller
          control={form.control}
          name="exchangeId"
          render={({ field }) => (
            <Combobox
              label="Exchange"
              options={exchanges.map((e) => ({
                value: e.id,
                label: e.name,
                keywords: [e.id],
                description: e.id === LOCAL ? "no keys, no money" : e.hasSandbox ? "sandbox" : "live only",
              }))}
              value={field.value || null}
              onValueChange={(v) => {
                field.onChange(v ?? "");
                setOutcome(null);
              }}
              placeholder="Choose an exchange"
              searchPlaceholder="Search exchanges"
              emptyText="No exchange by that name"
              maxOptions={60}
              errors={err("exchangeId")}
            />
          )}
        />
        <TextField label="Name" placeholder={local ? "Test account" : "Main account"} maxLength={60} {...form.register("label")} errors={err("label")} hint="Yours to tell connections apart; up to 60 characters." />
      </div>

      {local ? (
        <Alert tone="info">
          The local test exchange is a Binance stand-in running inside this server: orders fill at its own prices, with a 0.1% fee, and no money or network is
          involved. Leave the key empty to use its built-in test key.
        </Alert>
      ) : exchange ? (
        <div role="note" aria-label="Key safety" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          <p className="font-semibold">Use a trade-only key. Never enable withdrawals.</p>
          <ul className="mt-1 list-disc space-y-0.5 pl-5">
            <li>On {exchange.name}, create a new API key with reading and spot trading enabled, and withdrawals disabled.</li>
            <li>Restrict it to this server&rsquo;s IP address, so a leaked key is useless anywhere else.</li>
            <li>A key that can withdraw is refused and not kept. Your key is stored encrypted and never shown again: only its first 4 characters.</li>
          </ul>
        </div>
      ) : null}

      {exchange ? (
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-1">
          {credentialFields.map((name) => (
            <TextField
              key={name}
              label={name === "apiKey" ? "API key" : name === "secret" ? "API secret" : "Passphrase"}
              type={name === "apiKey" ? "text" : "password"}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              {...form.register(name)}
              errors={err(name)}
              hint={local ? "Optional here." : name === "password" ? `The passphrase you chose when creating the key on ${exchange.name}.` : undefined}
            />
          ))}
        </div>
      ) : null}

      {exchange && !local ? (
        <div className="space-y-3">
          <Controller
            control={form.control}
            name="sandbox"
            render={({ field }) => (
              <LabelledSwitch
                label={exchange.hasSandbox ? (field.value ? "Sandbox (test account)" : "Sandbox off") : "Sandbox not available"}
                description={
                  exchange.hasSandbox
                    ? "On by default: orders go to the exchange's testnet with test funds. Turn off only for a live account."
                    : `${exchange.name} has no sandbox: this can only be a live account.`
                }
                checked={exchange.hasSandbox && field.value}
                disabled={!exchange.hasSandbox}
                onCheckedChange={field.onChange}
              />
            )}
          />
          {live ? (
            <div className="rounded-md border border-red-200 bg-red-50 px-4 py-3">
              <Checkbox
                label={<span className="font-medium text-red-900">This is a live account: copies will place real orders with real money.</span>}
                {...form.register("confirmLive")}
                errors={err("confirmLive")}
              />
            </div>
          ) : null}
        </div>
      ) : null}

      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" loading={create.isPending} disabled={!exchange}>
          {create.isPending ? "Checking the key…" : "Connect"}
        </Button>
        <span className="text-xs text-slate-500">The exchange is asked once for your balance to check the key.</span>
      </div>
    </form>
  );
}

function Outcome({ connection: c }: { connection: Omit<ConnectionItem, "followings" | "openCopies"> }) {
  if (c.status === "error") {
    return (
      <Alert tone="error">
        <span className="font-medium">&ldquo;{c.label}&rdquo; was saved but does not work.</span> {c.statusReason}
      </Alert>
    );
  }
  const warnings = c.permissions?.warnings ?? [];
  return (
    <Alert tone={warnings.length ? "warning" : "success"}>
      <span className="font-medium">&ldquo;{c.label}&rdquo; is connected.</span> Choose it under &ldquo;Where to copy&rdquo; in a provider&rsquo;s follow settings.
      {warnings.map((w) => (
        <span key={w} className="mt-1 block">
          {w}
        </span>
      ))}
    </Alert>
  );
}
