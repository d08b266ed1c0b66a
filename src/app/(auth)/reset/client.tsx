"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { serverFieldErrors } from "@/trpc/field-errors";
import { Alert } from "@/components/ui/card";
import { Button, ButtonLink } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { PASSWORD_MIN } from "@/lib/validation/auth";

export function RequestResetForm() {
  const trpc = useTRPC();
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const [email, setEmail] = useState("");
  if (request.isSuccess) {
    return (
      <Alert tone="success" className="mt-4">
        If an account exists for {email}, we sent it a link to reset the password. The link is valid for one hour.
      </Alert>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate({ email });
  };
  return (
    <form onSubmit={onSubmit} className="mt-4 space-y-4" noValidate>
      <p className="text-sm text-slate-600">Enter the email you signed up with and we will send you a reset link.</p>
      {request.isError && !serverFieldErrors(request.error).email ? <Alert tone="error">{request.error.message}</Alert> : null}
      <TextField label="Email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} errors={serverFieldErrors(request.error).email} />
      <Button type="submit" className="w-full" loading={request.isPending}>
        Send reset link
      </Button>
    </form>
  );
}

export function ResetPasswordForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const reset = useMutation(trpc.auth.resetPassword.mutationOptions());
  const [password, setPassword] = useState("");
  if (reset.isSuccess) {
    return (
      <div className="mt-4 space-y-4">
        <Alert tone="success">Your password has been changed. Sign in with the new one.</Alert>
        <ButtonLink href="/signin">Sign in</ButtonLink>
      </div>
    );
  }
  const errs = serverFieldErrors(reset.error);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        reset.mutate({ token, password });
      }}
      className="mt-4 space-y-4"
      noValidate
    >
      {reset.isError && !errs.password ? <Alert tone="error">{reset.error.message}</Alert> : null}
      <TextField label="New password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} errors={errs.password} hint={`At least ${PASSWORD_MIN} characters.`} />
      <Button type="submit" className="w-full" loading={reset.isPending}>
        Save new password
      </Button>
    </form>
  );
}
