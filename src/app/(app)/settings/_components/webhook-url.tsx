"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { useStepUp } from "@/components/security/step-up-dialog";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { CopyBlock } from "./copy-block";

/** The webhook URL: created or replaced here and shown once; replacing it asks first (it breaks the alerts using it). */
export function WebhookUrl({ configured, baseUrl, onCreated }: { configured: boolean; baseUrl: string; onCreated: () => void }) {
  const trpc = useTRPC();
  const [newUrl, setNewUrl] = useState<string | null>(null);
  const [confirmReplace, setConfirmReplace] = useState(false);
  const urlRef = useRef<HTMLDivElement>(null);
  // With two-factor sign-in on, the URL (whoever holds it publishes as this provider) needs a code confirmed in the
  // last 10 minutes: asked here, then resent.
  const { guard, stepUpDialog } = useStepUp();
  const rotate = useMutation(
    guard(
      trpc.providers.rotateWebhook.mutationOptions({
        onSuccess: ({ url }) => {
          setNewUrl(url);
          setConfirmReplace(false);
          onCreated();
        },
      }),
    ),
  );
  useEffect(() => {
    if (newUrl) urlRef.current?.focus();
  }, [newUrl]);

  return (
    <section aria-labelledby="tv-url" className="space-y-3">
      {stepUpDialog}
      <h3 id="tv-url" className="text-sm font-semibold text-slate-900">
        Webhook URL
      </h3>
      {newUrl ? (
        <div ref={urlRef} tabIndex={-1} className="space-y-2 outline-none">
          <Alert tone="success">
            <p className="font-medium">Your webhook URL is ready. Copy it now: it will not be shown again.</p>
          </Alert>
          <CopyBlock label="Webhook URL" value={newUrl} testId="webhook-url" />
        </div>
      ) : (
        <p className="text-sm text-slate-600">
          {configured ? (
            <>
              A webhook URL is active. It was shown once when it was created; if you have lost it, replace it. The address starts with{" "}
              <code className="font-mono text-xs break-all">{baseUrl}</code>.
            </>
          ) : (
            <>You have no webhook URL yet.</>
          )}
        </p>
      )}
      {rotate.isError ? <Alert tone="error">{rotate.error.message}</Alert> : null}
      {configured && confirmReplace ? (
        <div className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          <p>
            <strong>Replacing the URL breaks every alert that uses the current one.</strong> They will be refused until you paste the new URL into each
            of them.
          </p>
          <div className="mt-3 flex flex-wrap gap-2">
            <Button type="button" variant="danger" size="sm" loading={rotate.isPending} onClick={() => rotate.mutate()}>
              Replace webhook URL
            </Button>
            <Button type="button" variant="ghost" size="sm" onClick={() => setConfirmReplace(false)}>
              Keep the current URL
            </Button>
          </div>
        </div>
      ) : configured ? (
        <Button type="button" variant="secondary" onClick={() => setConfirmReplace(true)}>
          Replace webhook URL
        </Button>
      ) : (
        <Button type="button" loading={rotate.isPending} onClick={() => rotate.mutate()}>
          Create webhook URL
        </Button>
      )}
    </section>
  );
}
