"use client";

import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { Alert, Badge, Card, CardBody, CardHeader, FactList } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { formatDate } from "@/lib/format/dates";
import { RECOVERY_CODE_COUNT } from "@/lib/totp/codes";
import { useTRPC } from "@/trpc/react";
import { RecoveryCodes } from "./recovery-codes";
import { CodeDialog } from "./two-factor-dialogs";
import { TwoFactorEnrolment, type Enrolment } from "./two-factor-enrolment";

export interface TwoFactorStatusView {
  enabled: boolean;
  enabledAt: Date | null;
  recoveryCodesLeft: number;
}

/** What the panel shows besides the status: the set-up steps, or recovery codes to save (shown once). */
type Stage = { kind: "status" } | { kind: "enrolling"; enrolment: Enrolment } | { kind: "codes"; codes: string[]; after: "enabled" | "regenerated" };

/** Few enough left that it is time to make new ones. */
const FEW_CODES_LEFT = 3;

/**
 * Two-factor sign-in: on or off, since when, recovery codes left; turning it on (QR code, key, first code, then
 * the recovery codes), off, and new recovery codes. Each change refreshes the server's status at once; the codes
 * stay on screen (client state) until the person says they saved them.
 */
export function TwoFactorPanel({ status: serverStatus, email }: { status: TwoFactorStatusView; email?: string | null }) {
  const trpc = useTRPC();
  // What a change just made true, until the refreshed server status arrives (a new `status` object): on a slow
  // refresh the panel must not say "Off" right after it was turned on.
  const [changed, setChanged] = useState<{ over: TwoFactorStatusView; status: TwoFactorStatusView } | null>(null);
  const status = changed?.over === serverStatus ? changed.status : serverStatus;
  const changeStatus = (next: Partial<TwoFactorStatusView>) => setChanged({ over: serverStatus, status: { ...status, ...next } });
  const router = useRouter();
  const requiredForAdmin = useSearchParams().get("required") === "admin";
  const [stage, setStage] = useState<Stage>({ kind: "status" });
  const [notice, setNotice] = useState<{ text: string; tone: "success" | "info" } | null>(null);
  // These answers carry the TOTP secret or recovery codes. `stage` holds what is on screen; the mutations keep no
  // copy: gcTime 0 drops each from the mutation cache once reset (or unmounted) instead of 5 minutes later.
  const start = useMutation(trpc.twoFactor.start.mutationOptions({ gcTime: 0, onSuccess: (enrolment) => setStage({ kind: "enrolling", enrolment }) }));
  const confirm = useMutation(trpc.twoFactor.confirm.mutationOptions({ gcTime: 0 }));
  const disable = useMutation(trpc.twoFactor.disable.mutationOptions());
  const regenerate = useMutation(trpc.twoFactor.regenerateRecoveryCodes.mutationOptions({ gcTime: 0 }));
  const forgetSecrets = () => {
    start.reset();
    confirm.reset();
    regenerate.reset();
  };

  const showCodes = (codes: string[], after: "enabled" | "regenerated") => {
    forgetSecrets();
    setNotice(null);
    changeStatus(after === "enabled" ? { enabled: true, enabledAt: new Date(), recoveryCodesLeft: codes.length } : { recoveryCodesLeft: codes.length });
    setStage({ kind: "codes", codes, after });
    router.refresh();
  };

  let body;
  if (stage.kind === "enrolling") {
    body = (
      <TwoFactorEnrolment
        enrolment={stage.enrolment}
        onConfirm={async (code) => showCodes((await confirm.mutateAsync({ code })).recoveryCodes, "enabled")}
        onCancel={() => {
          forgetSecrets();
          setStage({ kind: "status" });
          setNotice({ text: "Two-factor sign-in was not turned on.", tone: "info" });
        }}
      />
    );
  } else if (stage.kind === "codes") {
    body = (
      <RecoveryCodes
        codes={stage.codes}
        email={email}
        onDone={() => {
          setStage({ kind: "status" });
          setNotice({
            text: stage.after === "enabled" ? "Two-factor sign-in is on: signing in now asks for a code." : "Your new recovery codes are saved; the old ones no longer work.",
            tone: "success",
          });
        }}
      />
    );
  } else if (status.enabled) {
    body = (
      <div className="space-y-4">
        <FactList
          labelWidth="wide"
          facts={[
            ["Status", <span key="s">On{status.enabledAt ? ` since ${formatDate(status.enabledAt)}` : ""}</span>],
            [
              "Recovery codes",
              <span key="r" data-testid="recovery-codes-left" className={status.recoveryCodesLeft <= FEW_CODES_LEFT ? "font-medium text-amber-800" : undefined}>
                {status.recoveryCodesLeft} of {RECOVERY_CODE_COUNT} left
                {status.recoveryCodesLeft <= FEW_CODES_LEFT ? ": make new ones before you run out" : ""}
              </span>,
            ],
          ]}
        />
        <div className="flex flex-wrap gap-2">
          <CodeDialog
            triggerLabel="New recovery codes"
            title="Make new recovery codes?"
            description="You get 10 new codes; the ones you have stop working at once. Enter a code to confirm."
            submitLabel="Make new codes"
            onSubmit={async (code) => showCodes((await regenerate.mutateAsync({ code })).recoveryCodes, "regenerated")}
          />
          <CodeDialog
            triggerLabel="Turn off"
            title="Turn off two-factor sign-in?"
            description="Signing in will ask for your password only, and your recovery codes stop working. Enter a code to confirm."
            submitLabel="Turn off"
            destructive
            onSubmit={async (code) => {
              await disable.mutateAsync({ code });
              changeStatus({ enabled: false, enabledAt: null, recoveryCodesLeft: 0 });
              setNotice({ text: "Two-factor sign-in is off.", tone: "success" });
              router.refresh();
            }}
          />
        </div>
      </div>
    );
  } else {
    body = (
      <div className="space-y-4">
        <p className="max-w-2xl text-sm text-slate-600">
          Off. Turn it on to sign in with your password and a code from an authenticator app on your phone, so a stolen password alone cannot open your
          account, your exchange keys or your payouts.
        </p>
        <Button loading={start.isPending} onClick={() => start.mutate()}>
          Turn on
        </Button>
        {start.isError ? <Alert tone="error">{start.error.message}</Alert> : null}
      </div>
    );
  }

  return (
    <Card id="two-factor">
      <CardHeader
        title="Two-factor sign-in"
        description="A code from an authenticator app, asked when you sign in and again before sensitive changes."
        action={status.enabled ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>}
      />
      <CardBody className="space-y-5">
        {requiredForAdmin ? <AdminRequiredNotice enabled={status.enabled} /> : null}
        {notice && stage.kind === "status" ? <Notice {...notice} /> : null}
        {body}
      </CardBody>
    </Card>
  );
}

/** Where requireAdmin sent an admin without two-factor sign-in (/settings/security?required=admin). */
export function AdminRequiredNotice({ enabled }: { enabled: boolean }) {
  if (enabled) {
    return (
      <Alert tone="success">
        Two-factor sign-in is on: you can use the{" "}
        <Link href="/admin" className="font-medium underline">
          admin area
        </Link>{" "}
        now.
      </Alert>
    );
  }
  return (
    <div role="alert" data-testid="admin-two-factor-required" className="rounded-md border-2 border-amber-400 bg-amber-50 px-4 py-3 text-amber-950">
      <p className="font-semibold">Admins must turn on two-factor sign-in before using the admin area.</p>
      <p className="mt-1 text-sm">Turn it on below; the admin area opens as soon as it is confirmed.</p>
    </div>
  );
}

/** The outcome of the last change, focused so it is read out where the controls that caused it were replaced. */
function Notice({ text, tone }: { text: string; tone: "success" | "info" }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), [text]);
  return (
    <div ref={ref} tabIndex={-1} className="focus:outline-none">
      <Alert tone={tone}>{text}</Alert>
    </div>
  );
}
