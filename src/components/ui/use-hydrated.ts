"use client";

import { useSyncExternalStore } from "react";

const noop = () => () => {};

/**
 * False in the server render and during hydration, true once React owns the page. Buttons whose only behaviour is
 * a click handler stay disabled until then, so an early click is refused visibly instead of silently dropped.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}
