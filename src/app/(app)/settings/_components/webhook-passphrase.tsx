"use client";

import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { useStepUp } from "@/components/security/step-up-dialog";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert, Badge } from "@/components/ui/card";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { webhookPassphraseSchema } from "@/lib/validation/tradingview";

const passphraseFormSchema = z.object({ passphrase: webhookPassphraseSchema });

/** The optional passphrase: set or changed with the form, removed with a button; the value is sent as typed. */
export function WebhookPassphrase({ isSet, onSaved }: { isSet: boolean; onSaved: (passphrase: string | null) => void }) {
  const trpc = useTRPC();
  const form = useForm<z.input<typeof passphraseFormSchema>>({
    defaultValues: { passphrase: "" },
    resolver: zodResolver(passphraseFormSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  // With two-factor sign-in on, setting or removing it needs a code confirmed in the last 10 minutes: asked here,
  // then resent.
  const { guard, stepUpDialog } = useStepUp();
  const save = useMutation(
    guard(
      trpc.providers.setWebhookPassphrase.mutationOptions({
        onSuccess: (_res, { passphrase }) => {
          form.reset({ passphrase: "" });
          onSaved(passphrase);
        },
        onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["passphrase"]),
      }),
    ),
  );
  const { confirm, confirmDialog } = useConfirm();
  const error = form.formState.errors.passphrase;

  return (
    <section aria-labelledby="tv-passphrase" className="space-y-3 border-t border-slate-100 pt-5">
      {confirmDialog}
      {stepUpDialog}
      <div className="flex flex-wrap items-center gap-2">
        <h3 id="tv-passphrase" className="text-sm font-semibold text-slate-900">
          Passphrase <span className="font-normal text-slate-500">(optional)</span>
        </h3>
        {isSet ? <Badge tone="green">Set</Badge> : <Badge>Not set</Badge>}
      </div>
      <p className="text-sm text-slate-600">
        A second secret inside the alert message. With one set, alerts without the matching <code className="font-mono text-xs">passphrase</code> field are
        refused, even from the right URL.
      </p>
      <form
        className="flex max-w-lg flex-col gap-3 sm:flex-row sm:items-start"
        noValidate
        onSubmit={form.handleSubmit(({ passphrase }) => save.mutate({ passphrase }))}
      >
        <TextField
          className="flex-1"
          label={isSet ? "New passphrase" : "Passphrase"}
          autoComplete="off"
          spellCheck={false}
          {...form.register("passphrase")}
          errors={messages(error)}
          hint="8 to 100 characters."
        />
        <Button type="submit" className="sm:mt-6" loading={save.isPending && save.variables?.passphrase !== null}>
          {isSet ? "Change" : "Set passphrase"}
        </Button>
      </form>
      {isSet ? (
        <Button
          type="button"
          variant="ghost"
          size="sm"
          loading={save.isPending && save.variables?.passphrase === null}
          onClick={async () => {
            const ok = await confirm({
              title: "Remove the passphrase?",
              description: "Alerts will then be accepted with the webhook URL alone.",
              confirmLabel: "Remove passphrase",
              destructive: true,
            });
            if (ok) save.mutate({ passphrase: null });
          }}
        >
          Remove passphrase
        </Button>
      ) : null}
      {save.isError && !serverFieldErrors(save.error).passphrase ? <Alert tone="error">{save.error.message}</Alert> : null}
      {save.isSuccess ? (
        <p className="text-sm text-emerald-700" role="status">
          {save.variables?.passphrase ? "Passphrase saved. The templates below now include it." : "Passphrase removed."}
        </p>
      ) : null}
    </section>
  );
}
