"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { useTRPC } from "@/trpc/react";
import { useStepUp } from "@/components/security/step-up-dialog";

type TwoFactorUser = { id: string; email: string; twoFactor: boolean };

/** "2FA" beside a user whose two-factor sign-in is on. */
export function TwoFactorBadge({ user }: { user: TwoFactorUser }) {
  if (!user.twoFactor) return null;
  return (
    <Badge tone="green">
      2FA<span className="sr-only"> on</span>
    </Badge>
  );
}

/**
 * "Reset two-factor" for someone else's account where it is on: for a person who lost their phone and their
 * recovery codes (an admin's own reset is refused: another admin or the operator command does it). The server
 * audits it and emails the account. Nothing is rendered where it does not apply.
 */
export function ResetTwoFactor({ user, isSelf }: { user: TwoFactorUser; isSelf: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const { confirm, confirmDialog } = useConfirm();
  // A code from the admin's own app confirmed in the last 10 minutes first (step-up): asked here, then resent.
  const { guard, stepUpDialog } = useStepUp();
  const reset = useMutation(guard(trpc.admin.resetTwoFactor.mutationOptions({ onSuccess: () => startTransition(() => router.refresh()) })));
  const message = reset.isError ? { tone: "error", text: reset.error.message } : reset.isSuccess && !refreshing ? { tone: "success", text: "Two-factor sign-in reset." } : null;
  if (isSelf || (!user.twoFactor && !message)) return null;
  return (
    <div className="mt-2">
      {stepUpDialog}
      {user.twoFactor ? (
        <Button
          type="button"
          size="sm"
          variant="secondary"
          className="whitespace-nowrap"
          loading={reset.isPending || refreshing}
          onClick={async () => {
            const ok = await confirm({
              title: `Reset two-factor sign-in for ${user.email}?`,
              description:
                "Their authenticator app and recovery codes stop working, and they sign in with their password alone until they turn it on again. Do this only once you are sure it is them. They are emailed and the reset is audited.",
              confirmLabel: "Reset two-factor",
              destructive: true,
            });
            if (ok) reset.mutate({ userId: user.id });
          }}
        >
          Reset two-factor<span className="sr-only"> for {user.email}</span>
        </Button>
      ) : null}
      <p aria-live="polite" className={cn("mt-1 max-w-64 text-xs", message?.tone === "error" ? "text-red-700" : "text-emerald-700", !message && "sr-only")}>
        {message?.text}
      </p>
      {confirmDialog}
    </div>
  );
}
