"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Alert, Card, CardBody, CardHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/alert-dialog";
import { EmailPreferencesForm, type EmailPreferencesValue } from "@/components/email/preferences-form";
import { useStepUp } from "@/components/security/step-up-dialog";

/** Settings → Email notifications: every optional email choice, and revoking the unsubscribe links already sent. */
export function NotificationsSection({ prefs }: { prefs: EmailPreferencesValue }) {
  const trpc = useTRPC();
  // With two-factor sign-in on, saving asks for a code unless one was confirmed in the last 10 minutes.
  const { guard, stepUpDialog } = useStepUp();
  const save = useMutation(guard(trpc.account.updateNotificationPrefs.mutationOptions()));
  const revoke = useMutation(trpc.account.revokeUnsubscribeLinks.mutationOptions());
  return (
    <Card>
      <CardHeader title="Email notifications" description="Security and billing emails are always sent." />
      <CardBody className="space-y-6">
        {stepUpDialog}
        <EmailPreferencesForm
          idPrefix="settings"
          initial={prefs}
          onSave={(patch) => save.mutate(patch)}
          state={{ pending: save.isPending, error: save.isError ? save.error.message : null, saved: save.isSuccess }}
        />
        <section aria-labelledby="revoke-links-title" className="space-y-2 border-t border-slate-100 pt-4">
          <h3 id="revoke-links-title" className="text-sm font-semibold text-slate-900">
            Unsubscribe links in emails already sent
          </h3>
          <p className="text-sm text-slate-600">
            Anyone holding one of your emails can open its unsubscribe link and change these choices without signing in. If you forwarded an email or
            think someone else has one, revoke the links: older emails then stop working, and new emails carry new links.
          </p>
          {revoke.isSuccess ? <Alert tone="success">Links in emails already sent no longer work.</Alert> : null}
          {revoke.isError ? <Alert tone="error">{revoke.error.message}</Alert> : null}
          <ConfirmDialog
            title="Revoke the unsubscribe links in emails already sent?"
            description="Their links will say they were revoked. Emails sent from now on carry working links."
            confirmLabel="Revoke links"
            destructive
            onConfirm={() => revoke.mutate()}
            trigger={
              <Button type="button" variant="secondary" size="sm" loading={revoke.isPending}>
                Revoke links in emails already sent
              </Button>
            }
          />
        </section>
      </CardBody>
    </Card>
  );
}
