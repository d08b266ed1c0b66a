"use client";

import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { useHydrated } from "@/components/ui/use-hydrated";
import { EmailPreferencesForm, type EmailPreferencesValue } from "@/components/email/preferences-form";
import { topicPhrase, type Topic } from "./topic";

/**
 * The one-click button. With JavaScript it calls the token's procedure; before JavaScript loads the same form posts
 * the RFC 8058 body to the email's link, which unsubscribes and comes back here with ?done=1.
 */
function OneClick({ token, label, onDone, pending, run }: { token: string; label: string; onDone: boolean; pending: boolean; run: () => void }) {
  const hydrated = useHydrated();
  if (onDone) return null;
  return (
    <form
      method="post"
      action={`/api/unsubscribe/${encodeURIComponent(token)}`}
      onSubmit={(e) => {
        if (!hydrated) return;
        e.preventDefault();
        run();
      }}
    >
      <input type="hidden" name="List-Unsubscribe" value="One-Click" />
      <Button type="submit" loading={pending} className="w-full sm:w-auto">
        {label}
      </Button>
    </form>
  );
}

export function AccountPreferences({ token, topic, preferences, done }: { token: string; topic: Topic; preferences: EmailPreferencesValue; done: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState(preferences);
  // A new key re-mounts the form with `current` after a one-click change made outside it.
  const [formKey, setFormKey] = useState(0);
  const save = useMutation(trpc.unsubscribe.update.mutationOptions({ onSuccess: setCurrent }));
  const oneClick = useMutation(
    trpc.unsubscribe.oneClick.mutationOptions({
      onSuccess: async () => {
        const fresh = await queryClient.fetchQuery({ ...trpc.unsubscribe.view.queryOptions({ token }), staleTime: 0 }).catch(() => null);
        if (fresh?.recipient === "user") {
          setCurrent(fresh.preferences);
          setFormKey((k) => k + 1);
        }
      },
    }),
  );
  const unsubscribed = done || oneClick.isSuccess;
  return (
    <div className="space-y-6">
      <section aria-labelledby="one-click-title" className="space-y-3 rounded-md bg-slate-50 p-4">
        <h2 id="one-click-title" className="text-base font-semibold text-slate-900">
          Unsubscribe from {topicPhrase(topic)}
        </h2>
        {unsubscribed ? (
          <Alert tone="success">Done: you will not get these emails any more. You can turn them back on below.</Alert>
        ) : (
          <p className="text-sm text-slate-600">One click, no sign-in needed. Security and billing emails are still sent.</p>
        )}
        {oneClick.isError ? <Alert tone="error">{oneClick.error.message}</Alert> : null}
        <OneClick token={token} label="Unsubscribe" onDone={unsubscribed} pending={oneClick.isPending} run={() => oneClick.mutate({ token })} />
      </section>
      <section aria-labelledby="all-prefs-title" className="space-y-3">
        <h2 id="all-prefs-title" className="text-base font-semibold text-slate-900">
          All your email choices
        </h2>
        <EmailPreferencesForm
          key={formKey}
          idPrefix="unsubscribe"
          initial={current}
          onSave={(patch) => save.mutate({ token, preferences: patch })}
          state={{ pending: save.isPending, error: save.isError ? save.error.message : null, saved: save.isSuccess }}
        />
      </section>
    </div>
  );
}

/** A weekly-digest subscriber (no account): stop it in one click, or resume it. */
export function WeeklyDigestChoice({
  token,
  weekly,
  done,
}: {
  token: string;
  weekly: { subscribed: boolean; providerName: string | null; providerSlug: string | null };
  done: boolean;
}) {
  const trpc = useTRPC();
  const [subscribed, setSubscribed] = useState(weekly.subscribed && !done);
  const set = useMutation(trpc.unsubscribe.setWeekly.mutationOptions({ onSuccess: (r) => setSubscribed(r.subscribed) }));
  const oneClick = useMutation(trpc.unsubscribe.oneClick.mutationOptions({ onSuccess: () => setSubscribed(false) }));
  const of = weekly.providerName ? `${weekly.providerName}'s closed signals and public figures` : "the marketplace's closed signals and public figures";
  const error = set.error?.message ?? oneClick.error?.message;
  return (
    <section aria-labelledby="weekly-title" className="space-y-3 rounded-md bg-slate-50 p-4">
      <h2 id="weekly-title" className="text-base font-semibold text-slate-900">
        Weekly digest
      </h2>
      <p className="text-sm text-slate-600">A weekly email of {of}.</p>
      <p className="text-sm" role="status" aria-live="polite">
        {subscribed ? "You get this digest every week." : <span className="font-medium text-slate-900">You are unsubscribed: no more weekly digests are sent.</span>}
      </p>
      {error ? <Alert tone="error">{error}</Alert> : null}
      {subscribed ? (
        <OneClick token={token} label="Unsubscribe" onDone={false} pending={oneClick.isPending} run={() => oneClick.mutate({ token })} />
      ) : (
        <Button type="button" variant="secondary" loading={set.isPending} onClick={() => set.mutate({ token, subscribed: true })}>
          Resume the weekly digest
        </Button>
      )}
    </section>
  );
}
