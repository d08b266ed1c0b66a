"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, useTransition, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { TextField } from "@/components/ui/field";
import { serverFieldErrors } from "@/trpc/field-errors";
import { useTRPC } from "@/trpc/react";

/** An admin's stop of anyone's strategy, with the reason the audit log and the owner's page show. */
export function AdminStopRun({ id, name }: { id: string; name: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [refreshing, startTransition] = useTransition();
  const stop = useMutation(
    trpc.admin.strategies.stop.mutationOptions({
      onSuccess: () => {
        setOpen(false);
        startTransition(() => router.refresh());
      },
    }),
  );
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    stop.mutate({ id, reason });
  };
  const fieldErrors = serverFieldErrors(stop.error);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="danger" size="sm" disabled={refreshing} className="self-start">
          Stop
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={onSubmit} className="grid gap-4">
          <DialogHeader>
            <DialogTitle>Stop {name}?</DialogTitle>
            <DialogDescription>
              It stops at once: no further candle publishes, and its open signals are closed at the market price through the provider&apos;s normal close.
              The owner sees your reason; the stop is audited with your account.
            </DialogDescription>
          </DialogHeader>
          <TextField label="Reason" value={reason} maxLength={300} onChange={(e) => setReason(e.target.value)} errors={fieldErrors.reason ?? (stop.error && !fieldErrors.reason ? [stop.error.message] : null)} required />
          <DialogFooter>
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Keep running
            </Button>
            <Button type="submit" variant="danger" disabled={stop.isPending}>
              {stop.isPending ? "Stopping…" : "Stop now"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
