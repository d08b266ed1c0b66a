"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/card";
import { Button, buttonClass } from "@/components/ui/button";
import { payCheckoutAction, type DevFormState } from "../../actions";

const CARDS = [
  { value: "succeeds", number: "4242 4242 4242 4242", label: "Succeeds", hint: "Payment goes through" },
  { value: "declines", number: "4000 0000 0000 0002", label: "Declines", hint: "The bank refuses the charge" },
] as const;

export function CheckoutForm({ sessionId, email, amount, trial, cancelUrl }: { sessionId: string; email: string; amount: string; trial: boolean; cancelUrl: string }) {
  const [state, action, pending] = useActionState<DevFormState, FormData>(payCheckoutAction, {});
  return (
    <form action={action} noValidate className="space-y-5">
      <input type="hidden" name="sessionId" value={sessionId} />
      <div>
        <p className="text-sm font-medium text-slate-800">Email</p>
        <p className="mt-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">{email}</p>
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Test card</legend>
        <div className="mt-2 space-y-2">
          {CARDS.map((c) => (
            <label
              key={c.value}
              // Uncontrolled, styled from :checked: after a decline React resets the form to the card that succeeds.
              className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-300 bg-white px-3 py-2.5 hover:bg-slate-50 has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-600"
            >
              <input
                type="radio"
                name="card"
                value={c.value}
                defaultChecked={c.value === "succeeds"}
                className="mt-1 size-4 accent-brand-700"
                aria-describedby={`card-${c.value}-hint`}
              />
              <span className="min-w-0">
                <span className="block font-mono text-sm text-slate-900">
                  {c.number} <span className="font-sans font-medium">{c.label.toLowerCase()}</span>
                </span>
                <span id={`card-${c.value}-hint`} className="block text-xs text-slate-500">
                  {c.hint} · any future expiry, any CVC
                </span>
              </span>
            </label>
          ))}
        </div>
        {state.fieldErrors?.card ? (
          <p className="mt-1 text-sm text-red-700" role="alert">
            {state.fieldErrors.card[0]}
          </p>
        ) : null}
      </fieldset>
      {state.message ? <Alert tone="error">{state.message}</Alert> : null}
      <Button type="submit" size="lg" className="w-full" loading={pending}>
        {pending ? "Processing…" : trial ? "Start trial" : `Pay ${amount}`}
      </Button>
      <p className="text-center text-sm">
        <Link href={cancelUrl} className={buttonClass("ghost", "sm")}>
          <span aria-hidden="true">←</span> Cancel and go back
        </Link>
      </p>
    </form>
  );
}
