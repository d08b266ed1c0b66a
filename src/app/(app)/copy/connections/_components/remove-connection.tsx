"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/trpc/react";
import { useConfirm } from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { toast } from "@/components/ui/sonner";
import { useHydrated } from "@/components/ui/use-hydrated";

const copies = (n: number) => `${n} open cop${n === 1 ? "y" : "ies"}`;

/**
 * Remove, behind a confirmation. With copies open on the connection it offers to close them first ("Close N open
 * copies and remove"); if more opened since the page last read the count, the server says so and it asks again.
 */
export function RemoveConnectionButton({
  connection,
  afterRemove,
  size = "sm",
}: {
  connection: { id: string; label: string; openCopies: number; followings: number; status: string };
  /** Where to go once it is removed (the control centre goes back to the list). */
  afterRemove?: string;
  size?: "sm" | "md";
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const hydrated = useHydrated();
  const { confirm, confirmDialog } = useConfirm();
  const remove = useMutation(trpc.exchanges.remove.mutationOptions());

  const ask = (open: number) =>
    confirm({
      title: `Remove “${connection.label}”?`,
      description: open
        ? `${open} cop${open === 1 ? "y is" : "ies are"} open on it. ${open === 1 ? "It is" : "They are"} closed at the market price on the exchange first; the connection is removed once the closing orders have filled.`
        : `${connection.followings ? `${connection.followings} following${connection.followings === 1 ? " copies" : "s copy"} to it: their new copies are rejected until you choose another venue in their follow settings. ` : ""}Its key is deleted from Tradsy; delete it on the exchange too.`,
      confirmLabel: open ? `Close ${copies(open)} and remove` : "Remove connection",
      cancelLabel: "Keep it",
      destructive: true,
    });

  const run = async (open: number) => {
    if (!(await ask(open))) return;
    try {
      const r = await remove.mutateAsync({ id: connection.id, closeCopies: open > 0 });
      if ("needsDecision" in r) {
        // More copies opened since the count was read: ask again with the new number.
        await run(r.openCopies);
        return;
      }
      toast.success(r.status === "removing" ? `Closing ${copies(r.closing)} on “${connection.label}”; it is removed once they have filled.` : `“${connection.label}” removed.`);
      await queryClient.invalidateQueries(trpc.exchanges.pathFilter());
      void queryClient.invalidateQueries(trpc.copy.pathFilter());
      if (afterRemove && r.status === "removed") router.push(afterRemove);
    } catch (err) {
      toast.error(err instanceof Error ? err.message : "Could not remove the connection");
    }
  };

  if (connection.status === "removing") return null;
  return (
    <>
      {confirmDialog}
      <Button
        variant="secondary"
        size={size}
        className="border-red-300 text-red-700 hover:bg-red-50"
        onClick={() => void run(connection.openCopies)}
        loading={remove.isPending}
        disabled={!hydrated}
        aria-label={`Remove ${connection.label}`}
      >
        Remove
      </Button>
    </>
  );
}
