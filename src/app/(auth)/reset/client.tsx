"use client";

import { useMutation } from "@tanstack/react-query";
import { useForm } from "react-hook-form";
import { zodResolver } from "@hookform/resolvers/zod";
import { z } from "zod";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button, ButtonLink } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { messages, setServerErrors } from "@/components/forms/errors";
import { emailSchema, PASSWORD_MIN, resetPasswordSchema } from "@/lib/validation/auth";

const requestResetSchema = z.object({ email: emailSchema });
/** The form holds the new password; the token comes from the link (the server checks it and says when it is not valid). */
const newPasswordSchema = resetPasswordSchema.pick({ password: true });

export function RequestResetForm() {
  const trpc = useTRPC();
  const form = useForm<z.input<typeof requestResetSchema>>({
    defaultValues: { email: "" },
    resolver: zodResolver(requestResetSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({
      onError: (err) => {
        if (!setServerErrors(form.setError, serverFieldErrors(err), ["email"])) form.setError("root.server", { type: "server", message: err.message });
      },
    }),
  );
  if (request.isSuccess) {
    return (
      <Alert tone="success" className="mt-4">
        If an account exists for {request.variables.email}, we sent it a link to reset the password. The link is valid for one hour.
      </Alert>
    );
  }
  const { errors } = form.formState;
  return (
    <form onSubmit={form.handleSubmit((values) => request.mutate(values))} className="mt-4 space-y-4" noValidate>
      <p className="text-sm text-slate-600">Enter the email you signed up with and we will send you a reset link.</p>
      {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
      <TextField label="Email" type="email" autoComplete="email" {...form.register("email")} errors={messages(errors.email)} />
      <Button type="submit" className="w-full" loading={request.isPending}>
        Send reset link
      </Button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const form = useForm<z.input<typeof newPasswordSchema>>({
    defaultValues: { password: "" },
    resolver: zodResolver(newPasswordSchema, undefined, { raw: true }),
    reValidateMode: "onSubmit",
    shouldFocusError: false,
  });
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onError: (err) => {
        if (!setServerErrors(form.setError, serverFieldErrors(err), ["password"])) form.setError("root.server", { type: "server", message: err.message });
      },
    }),
  );
  if (reset.isSuccess) {
    return (
      <div className="mt-4 space-y-4">
        <Alert tone="success">Your password has been changed. Sign in with the new one.</Alert>
        <ButtonLink href="/signin">Sign in</ButtonLink>
      </div>
    );
  }
  const { errors } = form.formState;
  return (
    <form onSubmit={form.handleSubmit(({ password }) => reset.mutate({ token, password }))} className="mt-4 space-y-4" noValidate>
      {errors.root?.server ? <Alert tone="error">{errors.root.server.message}</Alert> : null}
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        {...form.register("password")}
        errors={messages(errors.password)}
        hint={`At least ${PASSWORD_MIN} characters.`}
      />
      <Button type="submit" className="w-full" loading={reset.isPending}>
        Save new password
      </Button>
    </form>
  );
}
