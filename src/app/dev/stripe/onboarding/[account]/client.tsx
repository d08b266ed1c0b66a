"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/card";
import { Button, buttonClass } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { completeOnboardingAction, type DevFormState } from "../../actions";

function ReadOnly({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div>
      <dt className="text-sm font-medium text-slate-800">{label}</dt>
      <dd className="mt-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm text-slate-700">{value}</dd>
      {hint ? <dd className="mt-1 text-xs text-slate-500">{hint}</dd> : null}
    </div>
  );
}

export function OnboardingForm({
  accountId,
  email,
  defaultName,
  returnUrl,
  refreshUrl,
}: {
  accountId: string;
  email: string;
  defaultName: string;
  returnUrl: string;
  refreshUrl: string;
}) {
  const [state, action, pending] = useActionState<DevFormState, FormData>(completeOnboardingAction, {});
  return (
    <form action={action} noValidate className="space-y-5">
      {state.message ? <Alert tone="error">{state.message}</Alert> : null}
      <input type="hidden" name="accountId" value={accountId} />
      <input type="hidden" name="returnUrl" value={returnUrl} />
      <TextField
        label="Business name"
        name="businessName"
        defaultValue={state.values?.businessName ?? defaultName}
        autoComplete="organization"
        required
        errors={state.fieldErrors?.businessName}
        hint="Shown on subscribers' card statements."
      />
      <dl className="grid gap-4 sm:grid-cols-2">
        <ReadOnly label="Email" value={email} />
        <ReadOnly label="Country" value="United States" />
        <ReadOnly label="Routing number" value="110000000" hint="Stripe's test bank" />
        <ReadOnly label="Account number" value="000123456789" hint="Test account: payouts succeed" />
      </dl>
      <div className="flex flex-col-reverse gap-3 border-t border-slate-100 pt-5 sm:flex-row sm:items-center sm:justify-between">
        <Link href={refreshUrl} className={buttonClass("ghost")}>
          Return without finishing
        </Link>
        <Button type="submit" loading={pending}>
          {pending ? "Completing…" : "Complete onboarding"}
        </Button>
      </div>
    </form>
  );
}
