"use client";

/**
 * Step-up: before sensitive changes (exchange keys, API keys, payouts, email settings…) an account with two-factor
 * sign-in must have confirmed a code in the last 10 minutes. The server refuses otherwise with
 * `data.reason === "step_up_required"`; `useStepUp().guard(...)` wraps a mutation so that refusal opens this dialog,
 * confirms the code with twoFactor.stepUp, and sends the same call again, once (see ./with-step-up.ts).
 */
import { useMutation } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState, type ReactNode, type RefObject } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { useTRPC } from "@/trpc/react";
import { CodeForm } from "./code-form";
import { sharedAsk, withStepUp } from "./with-step-up";

/**
 * The dialog alone, controlled: `onDone(true)` once the code was accepted, `onDone(false)` when they back out
 * (Cancel, Escape, the close button). Focus starts in the code field and goes back to `returnFocusTo` on close.
 */
export function StepUpDialog({ open, onDone, returnFocusTo }: { open: boolean; onDone: (ok: boolean) => void; returnFocusTo?: RefObject<HTMLElement | null> }) {
  const trpc = useTRPC();
  const stepUp = useMutation(trpc.twoFactor.stepUp.mutationOptions());
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) onDone(false);
      }}
    >
      <DialogContent
        className="max-w-md"
        onCloseAutoFocus={(event) => {
          event.preventDefault();
          restoreFocus(returnFocusTo?.current ?? null);
        }}
      >
        <DialogHeader>
          <DialogTitle>Confirm it&rsquo;s you</DialogTitle>
          <DialogDescription>
            Enter a code from your authenticator app to go on. You won&rsquo;t be asked again for 10 minutes on this device.
          </DialogDescription>
        </DialogHeader>
        {open ? (
          <CodeForm
            submitLabel="Confirm"
            onSubmit={async (code) => {
              await stepUp.mutateAsync({ code });
              onDone(true);
            }}
            secondary={
              <Button type="button" variant="secondary" onClick={() => onDone(false)}>
                Cancel
              </Button>
            }
          />
        ) : null}
      </DialogContent>
    </Dialog>
  );
}

/**
 * Focus back on what asked (the button that sent the call). That button is usually disabled while its call is
 * retried, and a disabled button cannot take focus: then it gets focus when it is enabled again, unless the
 * person has moved on meanwhile.
 */
function restoreFocus(el: HTMLElement | null) {
  if (!el?.isConnected) return;
  if (!(el instanceof HTMLButtonElement && el.disabled)) {
    el.focus();
    return;
  }
  const observer = new MutationObserver(() => {
    if (el.disabled) return;
    observer.disconnect();
    const active = document.activeElement;
    if (el.isConnected && (!active || active === document.body)) el.focus();
  });
  observer.observe(el, { attributes: true, attributeFilter: ["disabled"] });
  // A call that never settles must not keep the observer forever.
  window.setTimeout(() => observer.disconnect(), 60_000);
}

/** Anything with a tRPC/TanStack mutation function: `trpc.x.y.mutationOptions(...)`. */
type WithMutationFn = { mutationFn?: (...args: never[]) => Promise<unknown> };

/**
 * `guard(options)` makes a mutation step-up aware: pass it what `trpc.x.y.mutationOptions(...)` returns, and
 * render `stepUpDialog` once in the component. The mutation stays pending while the dialog is open, so its
 * button stays busy; `onSuccess`/`onError` see only the final outcome (backing out gives the original refusal).
 */
export function useStepUp(): { guard: <O extends WithMutationFn>(options: O) => O; stepUpDialog: ReactNode } {
  const [open, setOpen] = useState(false);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const openDialog = useCallback(
    (origin: HTMLElement | null) =>
      new Promise<boolean>((resolve) => {
        resolver.current = resolve;
        returnTo.current = origin;
        setOpen(true);
      }),
    [],
  );
  const shared = useRef<((origin: HTMLElement | null) => Promise<boolean>) | null>(null);
  const ask = useCallback(
    (origin: HTMLElement | null) => {
      shared.current ??= sharedAsk(openDialog);
      return shared.current(origin);
    },
    [openDialog],
  );
  const settle = useCallback((ok: boolean) => {
    resolver.current?.(ok);
    resolver.current = null;
    setOpen(false);
  }, []);
  // Unmounted with the dialog open: the waiting call ends with its refusal rather than hanging.
  useEffect(() => () => resolver.current?.(false), []);
  const guard = useCallback(
    <O extends WithMutationFn>(options: O): O => {
      const fn = options.mutationFn;
      if (!fn) return options;
      return {
        ...options,
        mutationFn: (...args: Parameters<typeof fn>) => {
          // What had focus when the call was sent (its button, before it turned busy and disabled, which drops focus).
          const origin = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
          return withStepUp(fn, { ask: () => ask(origin) })(...args);
        },
      };
    },
    [ask],
  );
  return { guard, stepUpDialog: <StepUpDialog open={open} onDone={settle} returnFocusTo={returnTo} /> };
}
