"use client";

import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import type { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { renewSession } from "@/server/auth/renew-session";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { changePasswordSchema, PASSWORD_MIN } from "@/lib/validation/auth";

export function PasswordSection() {
  const trpc = useTRPC();
  const form = useForm<z.input<typeof changePasswordSchema>>({
    defaultValues: { currentPassword: "", newPassword: "" },
    resolver: zodResolver(changePasswordSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      // The change ended every session of the account; this browser keeps its own by renewing it at once.
      onSuccess: ({ sessionRenewal }) => {
        form.reset();
        return renewSession(sessionRenewal);
      },
      onError: (err) => setServerErrors(form.setError, serverFieldErrors(err), ["currentPassword", "newPassword"]),
    }),
  );
  const { errors } = form.formState;
  return (
    <Card>
      <CardHeader title="Password" />
      <CardBody>
        <form className="max-w-lg space-y-4" onSubmit={form.handleSubmit((values) => change.mutate(values))} noValidate>
          {change.isError && !Object.keys(serverFieldErrors(change.error)).length ? <Alert tone="error">{change.error.message}</Alert> : null}
          <TextField label="Current password" type="password" autoComplete="current-password" {...form.register("currentPassword")} errors={messages(errors.currentPassword)} />
          <TextField
            label="New password"
            type="password"
            autoComplete="new-password"
            {...form.register("newPassword")}
            errors={messages(errors.newPassword)}
            hint={`At least ${PASSWORD_MIN} characters.`}
          />
          <div className="flex items-center gap-3">
            <Button type="submit" loading={change.isPending}>
              Change password
            </Button>
            {change.isSuccess ? (
              <span className="text-sm text-emerald-700" role="status">
                Password changed. You were signed out everywhere else.
              </span>
            ) : null}
          </div>
        </form>
      </CardBody>
    </Card>
  );
}
