"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { TextField } from "@/components/ui/field";
import { weeklyDigestAction, type WeeklyDigestFormState } from "./weekly-digest-action";

/**
 * "Get the weekly digest": for people without an account, on a provider's profile (that provider) and on the
 * marketplace (no provider). Double opt-in: the answer only says to check the inbox, and says the same whether or not
 * the address was already subscribed. A form post to a server action, so it works before JavaScript loads.
 */
export function WeeklyDigestForm({ providerSlug, providerName }: { providerSlug?: string; providerName?: string }) {
  const [state, action, pending] = useActionState<WeeklyDigestFormState, FormData>(weeklyDigestAction, {});
  const what = providerName ? `${providerName}'s closed signals and track record` : "the week's closed signals of the top providers";
  return (
    <Card>
      <CardHeader title="Get the weekly digest" />
      <CardBody>
        {state.ok ? (
          <Alert tone="success">Check your inbox: we sent a link to {state.email}. Nothing else is sent until you confirm.</Alert>
        ) : (
          <form action={action} className="space-y-3" noValidate>
            <p className="text-sm text-slate-600">Every Monday, {what}. No account needed; open signals stay for subscribers. Unsubscribe in one click.</p>
            {state.message ? <Alert tone="error">{state.message}</Alert> : null}
            {providerSlug ? <input type="hidden" name="providerSlug" value={providerSlug} /> : null}
            <TextField label="Email" name="email" type="email" autoComplete="email" defaultValue={state.email ?? ""} errors={state.fieldErrors?.email ?? null} />
            <Button type="submit" variant="secondary" className="w-full" loading={pending}>
              Get the weekly digest
            </Button>
          </form>
        )}
      </CardBody>
    </Card>
  );
}
