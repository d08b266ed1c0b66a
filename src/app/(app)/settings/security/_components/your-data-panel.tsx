"use client";

import { useMutation } from "@tanstack/react-query";
import { zodResolver } from "@hookform/resolvers/zod";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button, buttonClass } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { useStepUp } from "@/components/security/step-up-dialog";
import { signOutAction } from "@/server/auth/sign-out";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useTRPC } from "@/trpc/react";
import { deleteAccountSchema } from "@/lib/validation/privacy";

// An account that signs in with a password proves it here too; OAuth-only accounts have none to give.
const withPassword = deleteAccountSchema.extend({ password: z.string().min(1, "Enter your password").max(200) });

type Values = z.input<typeof deleteAccountSchema>;

/**
 * "Download your data" (a plain link: the route answers the JSON as an attachment) and "Delete account": a dialog
 * that asks for the address typed again (and the password), says what goes and what stays, and after the deletion
 * signs this browser out to the home page. With two-factor sign-in on, the server asks for a fresh code first: the
 * step-up dialog asks for it and sends the deletion again.
 */
export function YourDataPanel({ email, hasPassword, isProvider }: { email: string; hasPassword: boolean; isProvider: boolean }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const { guard, stepUpDialog } = useStepUp();
  const form = useForm<Values>({
    defaultValues: { confirmEmail: "", password: "" },
    resolver: zodResolver(hasPassword ? withPassword : deleteAccountSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: true,
  });
  const remove = useMutation(
    guard(
      trpc.privacy.deleteAccount.mutationOptions({
        // The account is gone and its sessions with it: clear this browser's cookie and leave for the home page.
        onSuccess: () => signOutAction(),
        onError: (err) => {
          if (!setServerErrors(form.setError, serverFieldErrors(err), ["confirmEmail", "password"])) form.setError("root.server", { type: "server", message: err.message });
        },
      }),
    ),
  );
  const { errors } = form.formState;

  return (
    <Card>
      <CardHeader title="Your data" description="Download everything Tradsy holds about you, or delete your account." />
      <CardBody className="space-y-6">
        <section className="space-y-2">
          <h3 className="text-sm font-semibold text-slate-900">Download your data</h3>
          <p className="text-sm text-slate-600">
            One JSON file: your profile, email choices, subscriptions and payments, copies and their orders, exchange connections and notification
            destinations (names and hints, never keys), {isProvider ? "your provider profile and signals, " : ""}signed-in devices and your account&apos;s
            activity log.
          </p>
          {/* A plain link, not next/link: the answer is a download, not a page to prefetch or route to. */}
          <a href="/api/account/export" download className={buttonClass("secondary")}>
            Download your data
          </a>
        </section>

        <section className="space-y-2">
          <h3 className="text-sm font-semibold text-slate-900">Delete account</h3>
          <p className="text-sm text-slate-600">Deleting your account cannot be undone.</p>
          <Dialog
            open={open}
            onOpenChange={(next) => {
              if (remove.isPending) return;
              if (next) {
                form.reset();
                remove.reset();
              }
              setOpen(next);
            }}
          >
            <DialogTrigger asChild>
              <Button variant="danger">Delete account</Button>
            </DialogTrigger>
            <DialogContent className="max-w-lg">
              <DialogHeader>
                <DialogTitle>Delete your account?</DialogTitle>
                <DialogDescription>This cannot be undone. Download your data first if you want a copy.</DialogDescription>
              </DialogHeader>
              <div className="space-y-2 text-sm text-slate-700">
                <p>What happens now:</p>
                <ul className="list-disc space-y-1 pl-5">
                  <li>Your subscriptions are cancelled at once{isProvider ? ", and so are your subscribers'" : ""}: no further charges.</li>
                  <li>Copying stops and your open copies are closed at market (on an exchange, once the closing orders fill).</li>
                  <li>Your exchange keys, API keys, notification destinations and sessions are erased, and you are signed out everywhere.</li>
                  <li>Your name, email address and password are erased; you can never sign in to this account again.</li>
                </ul>
                <p>What is kept:</p>
                <ul className="list-disc space-y-1 pl-5">
                  <li>Payment records (amounts and dates, without your name or address), as the law requires.</li>
                  {isProvider ? <li>Your published signals and their hash chain, shown as &ldquo;Deleted provider&rdquo;, so the track record stays verifiable.</li> : null}
                  <li>The security log of your account&apos;s actions, for a year.</li>
                </ul>
              </div>
              <form className="space-y-4" onSubmit={form.handleSubmit((values) => remove.mutate(values))} noValidate>
                {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
                <TextField
                  label="Type your email address to confirm"
                  type="email"
                  autoComplete="off"
                  placeholder={email}
                  {...form.register("confirmEmail")}
                  errors={messages(errors.confirmEmail)}
                />
                {hasPassword ? (
                  <TextField label="Password" type="password" autoComplete="current-password" {...form.register("password")} errors={messages(errors.password)} />
                ) : null}
                <div className="flex justify-end gap-3">
                  <Button type="button" variant="secondary" disabled={remove.isPending} onClick={() => setOpen(false)}>
                    Cancel
                  </Button>
                  <Button type="submit" variant="danger" loading={remove.isPending || remove.isSuccess}>
                    Delete my account
                  </Button>
                </div>
              </form>
            </DialogContent>
          </Dialog>
          {stepUpDialog}
        </section>
      </CardBody>
    </Card>
  );
}
