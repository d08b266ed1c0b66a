"use client";

import { AlertDialog as AlertDialogPrimitive } from "radix-ui";
import { useCallback, useRef, useState, type ComponentProps, type ReactNode } from "react";
import { buttonClass } from "./button";
import { cn } from "./cn";
import { dialogContentClass, overlayClass } from "./dialog";

export function AlertDialog(props: ComponentProps<typeof AlertDialogPrimitive.Root>) {
  return <AlertDialogPrimitive.Root data-slot="alert-dialog" {...props} />;
}

export function AlertDialogTrigger(props: ComponentProps<typeof AlertDialogPrimitive.Trigger>) {
  return <AlertDialogPrimitive.Trigger data-slot="alert-dialog-trigger" {...props} />;
}

export function AlertDialogPortal(props: ComponentProps<typeof AlertDialogPrimitive.Portal>) {
  return <AlertDialogPrimitive.Portal data-slot="alert-dialog-portal" {...props} />;
}

export function AlertDialogOverlay({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Overlay>) {
  return <AlertDialogPrimitive.Overlay data-slot="alert-dialog-overlay" className={cn(overlayClass, className)} {...props} />;
}

export function AlertDialogContent({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Content>) {
  return (
    <AlertDialogPortal>
      <AlertDialogOverlay />
      <AlertDialogPrimitive.Content data-slot="alert-dialog-content" className={cn(dialogContentClass, "max-w-md", className)} {...props} />
    </AlertDialogPortal>
  );
}

export function AlertDialogHeader({ className, ...props }: ComponentProps<"div">) {
  return <div data-slot="alert-dialog-header" className={cn("flex flex-col gap-1.5 text-left", className)} {...props} />;
}

export function AlertDialogFooter({ className, ...props }: ComponentProps<"div">) {
  return <div data-slot="alert-dialog-footer" className={cn("flex flex-col-reverse gap-2 sm:flex-row sm:justify-end", className)} {...props} />;
}

export function AlertDialogTitle({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Title>) {
  return <AlertDialogPrimitive.Title data-slot="alert-dialog-title" className={cn("text-lg leading-tight font-semibold text-slate-900", className)} {...props} />;
}

export function AlertDialogDescription({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Description>) {
  return <AlertDialogPrimitive.Description data-slot="alert-dialog-description" className={cn("text-sm text-slate-600", className)} {...props} />;
}

export function AlertDialogAction({ className, destructive = false, ...props }: ComponentProps<typeof AlertDialogPrimitive.Action> & { destructive?: boolean }) {
  return <AlertDialogPrimitive.Action data-slot="alert-dialog-action" className={buttonClass(destructive ? "danger" : "primary", "md", className)} {...props} />;
}

export function AlertDialogCancel({ className, ...props }: ComponentProps<typeof AlertDialogPrimitive.Cancel>) {
  return <AlertDialogPrimitive.Cancel data-slot="alert-dialog-cancel" className={buttonClass("secondary", "md", className)} {...props} />;
}

export interface ConfirmOptions {
  /** The question, e.g. "Cancel your subscription to Momentum Desk?" (the dialog's accessible name). */
  title: ReactNode;
  /** What happens if they go ahead (the dialog's accessible description). */
  description?: ReactNode;
  /** The button that goes ahead; default "Continue". */
  confirmLabel?: string;
  /** The button that backs out (and Escape); default "Cancel". */
  cancelLabel?: string;
  /** Red confirm button, for actions that take something away. */
  destructive?: boolean;
}

/**
 * A controlled confirmation: an accessible AlertDialog (focus trapped and returned, Escape backs out, the cancel
 * button has focus first) in place of `window.confirm`. `onConfirm` runs when they go ahead; the dialog then closes.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  onConfirm,
  title,
  description,
  confirmLabel = "Continue",
  cancelLabel = "Cancel",
  destructive = false,
  trigger,
  onCloseAutoFocus,
}: ConfirmOptions & {
  /** Where focus goes on close; by default back to the trigger. */
  onCloseAutoFocus?: (event: Event) => void;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  onConfirm: () => void;
  /** An element (a button) that opens the dialog, for the uncontrolled use. */
  trigger?: ReactNode;
}) {
  return (
    <AlertDialog open={open} onOpenChange={onOpenChange}>
      {trigger ? <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger> : null}
      <AlertDialogContent onCloseAutoFocus={onCloseAutoFocus}>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          {description ? <AlertDialogDescription>{description}</AlertDialogDescription> : null}
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>{cancelLabel}</AlertDialogCancel>
          <AlertDialogAction destructive={destructive} onClick={onConfirm}>
            {confirmLabel}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

/**
 * `window.confirm` as a promise over an accessible dialog. Render `confirmDialog` once in the component, then
 * `if (!(await confirm({ title, destructive: true }))) return;`. Focus goes back to what had it (the button that asked).
 */
export function useConfirm(): { confirm: (options: ConfirmOptions) => Promise<boolean>; confirmDialog: ReactNode } {
  const [pending, setPending] = useState<ConfirmOptions | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  // There is no trigger to return focus to: remember what had focus when asked (the button), and go back there.
  const returnTo = useRef<HTMLElement | null>(null);
  const settle = useCallback((ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    setPending(null);
  }, []);
  const confirm = useCallback((options: ConfirmOptions) => {
    resolver.current?.(false);
    returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setPending(options);
    return new Promise<boolean>((resolve) => {
      resolver.current = resolve;
    });
  }, []);
  const confirmDialog = (
    <ConfirmDialog
      {...(pending ?? { title: "" })}
      open={pending !== null}
      onOpenChange={(open) => {
        if (!open) settle(false);
      }}
      onConfirm={() => settle(true)}
      onCloseAutoFocus={(event) => {
        event.preventDefault();
        if (returnTo.current?.isConnected) returnTo.current.focus();
        returnTo.current = null;
      }}
    />
  );
  return { confirm, confirmDialog };
}
