"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { signInAction, type FormState } from "@/server/auth/actions";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";

/**
 * Email and password, then, for an account with two-factor sign-in, its code. The server keeps nothing between the
 * two steps: the form keeps the email and password (in state, sent again as hidden fields with the code), so a
 * wrong code or a 429 leaves the person on the code step without retyping them.
 */
export function SignInForm({ callbackUrl, oauthError }: { callbackUrl: string; oauthError?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signInAction, {});
  const [email, setEmail] = useState(state.values?.email ?? "");
  const [password, setPassword] = useState("");
  const [useRecovery, setUseRecovery] = useState(false);
  // "Use a different account" leaves the code step until the server asks for it again.
  const [restartedAt, setRestartedAt] = useState<FormState | null>(null);
  const codeStep = state.step === "code" && restartedAt !== state;
  const message = state.message ?? (oauthError ? "Sign-in did not complete. Try again, or use your email and password." : undefined);

  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      {message ? <Alert tone="error">{message}</Alert> : null}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {codeStep ? (
        <>
          <input type="hidden" name="email" value={email || state.values?.email || ""} />
          <input type="hidden" name="password" value={password} />
          <p className="text-sm text-slate-600">
            {useRecovery
              ? "Enter one of the recovery codes you saved when you turned on two-factor sign-in. Each works once."
              : "Enter the 6-digit code from your authenticator app."}
          </p>
          {useRecovery ? (
            <TextField
              key="recovery"
              label="Recovery code"
              name="code"
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              placeholder="abcde-fghjk"
              required
              autoFocus
              errors={state.fieldErrors?.code}
            />
          ) : (
            <TextField
              key="totp"
              label="Authentication code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={7}
              required
              autoFocus
              errors={state.fieldErrors?.code}
            />
          )}
          <div className="flex flex-wrap justify-between gap-2 text-sm">
            <button type="button" className="font-medium text-brand-700 hover:underline" onClick={() => setUseRecovery((v) => !v)}>
              {useRecovery ? "Use your authenticator app" : "Use a recovery code"}
            </button>
            <button
              type="button"
              className="text-slate-600 hover:underline"
              onClick={() => {
                setRestartedAt(state);
                setUseRecovery(false);
              }}
            >
              Use a different account
            </button>
          </div>
          <Button type="submit" className="w-full" loading={pending}>
            Sign in
          </Button>
        </>
      ) : (
        <>
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            errors={state.fieldErrors?.email}
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            errors={state.fieldErrors?.password}
          />
          <div className="flex justify-end">
            <Link href="/reset" className="text-sm font-medium text-brand-700 hover:underline">
              Forgot your password?
            </Link>
          </div>
          <Button type="submit" className="w-full" loading={pending}>
            Sign in
          </Button>
        </>
      )}
    </form>
  );
}
