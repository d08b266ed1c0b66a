"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { useTRPC } from "@/trpc/react";

/**
 * A user's two-factor sign-in state and, for someone else's account where it is on, "Reset two-factor": for a
 * person who lost their phone and their recovery codes (an admin's own reset is refused: another admin or the
 * operator command does it). The server audits it and emails the account.
 */
export function TwoFactorCell({ user, isSelf }: { user: { id: string; email: string; twoFactor: boolean }; isSelf: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [refreshing, startTransition] = useTransition();
  const { confirm, confirmDialog } = useConfirm();
  const reset = useMutation(trpc.admin.resetTwoFactor.mutationOptions({ onSuccess: () => startTransition(() => router.refresh()) }));
  const message = reset.isError ? { tone: "error", text: reset.error.message } : reset.isSuccess && !refreshing ? { tone: "success", text: "Two-factor sign-in reset." } : null;
  return (
    <div>
      <div className="flex flex-wrap items-center gap-2">
        {user.twoFactor ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>}
        {user.twoFactor && !isSelf ? (
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
      </div>
      <p aria-live="polite" className={cn("mt-1 max-w-56 text-xs", message?.tone === "error" ? "text-red-700" : "text-emerald-700", !message && "sr-only")}>
        {message?.text}
      </p>
      {confirmDialog}
    </div>
  );
}
