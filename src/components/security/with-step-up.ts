/**
 * The step-up retry, apart from React so it can be tested on its own: a call refused because the session must
 * re-confirm two-factor sign-in asks the person for a code, and when they confirm, the same call runs again, once.
 * The dialog and hook that supply `ask` live in ./step-up-dialog.tsx.
 */

/** Whether a failed call was refused for want of a fresh step-up (the server's `data.reason`, see errorFormatter). */
export function isStepUpRequired(error: unknown): boolean {
  if (typeof error !== "object" || error === null || !("data" in error)) return false;
  const data = (error as { data?: unknown }).data;
  return typeof data === "object" && data !== null && (data as { reason?: unknown }).reason === "step_up_required";
}

export interface StepUpHooks {
  /** Whether this error asks for a step-up; isStepUpRequired by default. */
  needsStepUp?: (error: unknown) => boolean;
  /** Ask the person for a code; resolves true once twoFactor.stepUp succeeded, false when they backed out. */
  ask: () => Promise<boolean>;
}

/**
 * `fn` that, when refused with "step-up required", asks for a code and then calls `fn` again with the same
 * arguments, once. Backing out of the dialog rethrows the original refusal, so the caller's error handling shows
 * the server's sentence ("Enter your authentication code…") as it would have without this wrapper.
 *
 * INVARIANT: `fn` runs at most twice per call. A second refusal (step-up expired again, or any other error) is
 * the caller's to show: looping on the dialog would hide a server that never accepts the step-up.
 */
export function withStepUp<A extends unknown[], R>(fn: (...args: A) => Promise<R>, hooks: StepUpHooks): (...args: A) => Promise<R> {
  const needsStepUp = hooks.needsStepUp ?? isStepUpRequired;
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (error) {
      if (!needsStepUp(error)) throw error;
      if (!(await hooks.ask())) throw error;
      return fn(...args);
    }
  };
}

/**
 * One dialog for many callers: while a code is being asked for, further callers wait for the same answer instead
 * of stacking dialogs (two guarded saves refused at once need one step-up, which covers both for 10 minutes).
 * The first caller's arguments open the dialog.
 */
export function sharedAsk<A extends unknown[]>(open: (...args: A) => Promise<boolean>): (...args: A) => Promise<boolean> {
  let pending: Promise<boolean> | null = null;
  return (...args: A) => {
    pending ??= open(...args).finally(() => {
      pending = null;
    });
    return pending;
  };
}
