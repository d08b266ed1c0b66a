"use client";

import { useEffect, useRef } from "react";
import { Button } from "@/components/ui/button";
import { useCopy } from "@/components/ui/use-copy";
import { CodeForm } from "@/components/security/code-form";
import { groupSecret, svgDataUrl } from "./two-factor-text";

export interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/**
 * Setting up the authenticator app: scan the QR code or type the key, then confirm with the first code. Nothing
 * changes for sign-in until the code is confirmed; Cancel leaves two-factor sign-in off.
 */
export function TwoFactorEnrolment({ enrolment, onConfirm, onCancel }: { enrolment: Enrolment; onConfirm: (code: string) => Promise<unknown>; onCancel: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Shown after "Turn on" replaced the button that had focus: start reading from the top of the steps.
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="two-factor-setup" className="space-y-5">
      <h3 id="two-factor-setup" ref={heading} tabIndex={-1} className="text-base font-semibold text-slate-900 focus:outline-none">
        Set up your authenticator app
      </h3>
      <ol className="space-y-6 text-sm text-slate-700">
        <li className="space-y-3">
          <p>
            <span className="font-medium text-slate-900">1. Scan this QR code</span> with an authenticator app, such as 1Password, Google Authenticator,
            Microsoft Authenticator or Authy.
          </p>
          {/* An <img> of the server's SVG: no markup or script of ours in the page for it (see svgDataUrl). */}
          {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL: next/image has nothing to optimise */}
          <img
            src={svgDataUrl(enrolment.qrSvg)}
            alt="QR code that adds Tradsy to your authenticator app"
            width={176}
            height={176}
            className="size-44 rounded-md border border-slate-200 bg-white p-2"
          />
        </li>
        <li className="space-y-2">
          <p>
            <span className="font-medium text-slate-900">2. Can&rsquo;t scan it?</span> Enter this key in the app instead (time-based, 6 digits):
          </p>
          <SecretKey secret={enrolment.secret} />
        </li>
        <li className="space-y-3">
          <p>
            <span className="font-medium text-slate-900">3. Enter the code</span> the app now shows for Tradsy to finish.
          </p>
          <CodeForm
            allowRecovery={false}
            submitLabel="Confirm"
            actionsAlign="start"
            onSubmit={onConfirm}
            secondary={
              <Button type="button" variant="ghost" onClick={onCancel}>
                Cancel
              </Button>
            }
          />
        </li>
      </ol>
    </section>
  );
}

/** The secret as text, grouped by four for typing, with a copy button (which copies it without the spaces). */
export function SecretKey({ secret }: { secret: string }) {
  const code = useRef<HTMLElement>(null);
  const { copy, copyStatus } = useCopy(code);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <code
        ref={code}
        data-testid="totp-secret"
        data-secret={secret}
        aria-label="Setup key"
        className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm tracking-wider text-slate-900"
      >
        {groupSecret(secret)}
      </code>
      <Button type="button" variant="secondary" size="sm" onClick={() => copy(secret)}>
        Copy key
      </Button>
      <span className="text-xs text-slate-500" aria-live="polite">
        {copyStatus}
      </span>
    </div>
  );
}
