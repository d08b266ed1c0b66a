"use client";

import { useActionState } from "react";
import { signUpAction, type FormState } from "@/server/auth/actions";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Alert } from "@/components/ui/card";
import { PASSWORD_MIN } from "@/lib/validation/auth";
import { Consents } from "../consents";
import { RolePicker } from "../role-picker";

export function SignUpForm({ defaultRole, callbackUrl }: { defaultRole: "subscriber" | "provider"; callbackUrl?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signUpAction, {});
  const f = state.fieldErrors ?? {};
  const hasFieldErrors = Object.values(f).some((v) => v?.length);
  return (
    <form action={action} className="mt-6 space-y-4" noValidate>
      {callbackUrl ? <input type="hidden" name="callbackUrl" value={callbackUrl} /> : null}
      {state.message && !hasFieldErrors ? <Alert tone="error">{state.message}</Alert> : null}
      {hasFieldErrors ? <Alert tone="error">Please fix the fields marked below.</Alert> : null}
      <RolePicker defaultValue={state.values?.role || defaultRole} errors={f.role} />
      <TextField label="Name" name="name" autoComplete="name" required defaultValue={state.values?.name} errors={f.name} hint="Providers: this becomes your public display name." />
      <TextField label="Email" name="email" type="email" autoComplete="email" required defaultValue={state.values?.email} errors={f.email} />
      <TextField label="Password" name="password" type="password" autoComplete="new-password" required minLength={PASSWORD_MIN} errors={f.password} hint={`At least ${PASSWORD_MIN} characters.`} />
      <div className="space-y-3 rounded-md bg-slate-50 p-3">
        <Consents
          errors={f}
          disclaimer="I have read and accept the risk disclaimer: trading and copy trading can lose money, and past results do not promise future ones."
        />
      </div>
      <Button type="submit" className="w-full" loading={pending}>
        Create account
      </Button>
    </form>
  );
}
