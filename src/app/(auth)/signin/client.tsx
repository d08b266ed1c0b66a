"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { signInAction, type FormState } from "@/server/auth/actions";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { CodeKindSwitch, codeFieldProps, type CodeKind } from "@/components/security/code-field";

/**
 * Email and password, then, for an account with two-factor sign-in, its code. The server keeps nothing between the
 * two steps: the form keeps the email and password (in state, sent again as hidden fields with the code), so a
 * wrong code or a 429 leaves the person on the code step without retyping them.
 */
export function SignInForm({ callbackUrl, oauthError }: { callbackUrl: string; oauthError?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signInAction, {});
  const [email, setEmail] = useState(state.values?.email ?? "");
  const [password, setPassword] = useState("");
  const [codeKind, setCodeKind] = useState<CodeKind>("totp");
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
          <TextField key={codeKind} {...codeFieldProps(codeKind)} name="code" required autoFocus errors={state.fieldErrors?.code} />
          <div className="flex flex-wrap justify-between gap-2 text-sm">
            <CodeKindSwitch kind={codeKind} onSwitch={() => setCodeKind(codeKind === "totp" ? "recovery" : "totp")} />
            <button
              type="button"
              className="text-slate-600 hover:underline"
              onClick={() => {
                setRestartedAt(state);
                setCodeKind("totp");
                // Another account has another password: this one is not kept (nor sent) any longer.
                setPassword("");
              }}
            >
              Use a different account
            </button>
          </div>
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
        </>
      )}
      <Button type="submit" className="w-full" loading={pending}>
        Sign in
      </Button>
    </form>
  );
}
