"use client";

import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { CodeForm } from "@/components/security/code-form";

/**
 * A button opening a dialog that asks for a code before a change (turning two-factor sign-in off, new recovery
 * codes): the code given is the proof for this change, so these need no separate step-up. On success the dialog
 * closes and leaves focus to what replaced the button (`onDone` shows it).
 */
export function CodeDialog({
  triggerLabel,
  triggerVariant = "secondary",
  title,
  description,
  submitLabel,
  destructive = false,
  onSubmit,
}: {
  triggerLabel: string;
  triggerVariant?: "secondary" | "danger";
  title: string;
  description: string;
  submitLabel: string;
  destructive?: boolean;
  /** Sends the code; rejecting keeps the dialog open with the reason under the field. */
  onSubmit: (code: string) => Promise<unknown>;
}) {
  const [open, setOpen] = useState(false);
  const succeeded = useRef(false);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (next) succeeded.current = false;
        setOpen(next);
      }}
    >
      <DialogTrigger asChild>
        <Button variant={triggerVariant}>{triggerLabel}</Button>
      </DialogTrigger>
      <DialogContent
        className="max-w-md"
        onCloseAutoFocus={(event) => {
          // After a success the trigger is gone or stale: the panel moves focus to what it shows next.
          if (succeeded.current) event.preventDefault();
        }}
      >
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <CodeForm
          submitLabel={submitLabel}
          submitVariant={destructive ? "danger" : "primary"}
          onSubmit={async (code) => {
            await onSubmit(code);
            succeeded.current = true;
            setOpen(false);
          }}
          secondary={
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          }
        />
      </DialogContent>
    </Dialog>
  );
}
