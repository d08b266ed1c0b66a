"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/card";
import { Button, buttonClass } from "@/components/ui/button";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { payCheckoutAction, type DevFormState } from "../../actions";

const CARDS = [
  { value: "succeeds", number: "4242 4242 4242 4242", label: "Succeeds", hint: "Payment goes through" },
  { value: "declines", number: "4000 0000 0000 0002", label: "Declines", hint: "The bank refuses the charge" },
] as const;

export function CheckoutForm({ sessionId, email, amount, trial, cancelUrl }: { sessionId: string; email: string; amount: string; trial: boolean; cancelUrl: string }) {
  const [state, action, pending] = useActionState<DevFormState, FormData>(payCheckoutAction, {});
  const [card, setCard] = useState<string>("succeeds");
  const [lastState, setLastState] = useState(state);
  if (state !== lastState) {
    setLastState(state);
    setCard("succeeds");
  }
  return (
    <form action={action} noValidate className="space-y-5">
      <input type="hidden" name="sessionId" value={sessionId} />
      <div>
        <p className="text-sm font-medium text-slate-800">Email</p>
        <p className="mt-1 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">{email}</p>
      </div>
      <div>
        <p id="card-legend" className="text-sm font-medium text-slate-800">
          Test card
        </p>
        {/* Controlled: after a decline the form goes back to the card that succeeds, as the form reset did for native radios. */}
        <RadioGroup name="card" value={card} onValueChange={setCard} aria-labelledby="card-legend" className="mt-2 gap-2">
          {CARDS.map((c) => (
            <label
              key={c.value}
              htmlFor={`card-${c.value}`}
              className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-300 bg-white px-3 py-2.5 hover:bg-slate-50 has-[[data-state=checked]]:border-brand-600 has-[[data-state=checked]]:bg-brand-50 has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-brand-600"
            >
              <RadioGroupItem
                id={`card-${c.value}`}
                value={c.value}
                className="mt-1 focus-visible:outline-none"
                aria-labelledby={`card-${c.value}-label`}
                aria-describedby={`card-${c.value}-hint`}
              />
              <span className="min-w-0">
                <span id={`card-${c.value}-label`} className="block font-mono text-sm text-slate-900">
                  {c.number} <span className="font-sans font-medium">{c.label.toLowerCase()}</span>
                </span>
                <span id={`card-${c.value}-hint`} className="block text-xs text-slate-500">
                  {c.hint} · any future expiry, any CVC
                </span>
              </span>
            </label>
          ))}
        </RadioGroup>
        {state.fieldErrors?.card ? (
          <p className="mt-1 text-sm text-red-700" role="alert">
            {state.fieldErrors.card[0]}
          </p>
        ) : null}
      </div>
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
