"use client";

import Link from "next/link";
import { useActionState } from "react";
import { signInAction, type FormState } from "@/server/auth/actions";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";

export function SignInForm({ callbackUrl, oauthError }: { callbackUrl: string; oauthError?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signInAction, {});
  const message = state.message ?? (oauthError ? "Sign-in did not complete. Try again, or use your email and password." : undefined);
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      {message ? <Alert tone="error">{message}</Alert> : null}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField label="Email" name="email" type="email" autoComplete="email" required defaultValue={state.values?.email} errors={state.fieldErrors?.email} />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required errors={state.fieldErrors?.password} />
      <div className="flex justify-end">
        <Link href="/reset" className="text-sm font-medium text-brand-700 hover:underline">
          Forgot your password?
        </Link>
      </div>
      <Button type="submit" className="w-full" loading={pending}>
        Sign in
      </Button>
    </form>
  );
}
