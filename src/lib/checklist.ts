/**
 * The dashboards' getting-started checklists, each step derived from the data it describes, so a step ticks the
 * moment the thing is true and never otherwise. A step with nothing in the product to complete it yet is not a
 * checkbox at all: it is shown as information ("info"), worded as such.
 */

export type StepState = "done" | "todo" | "info";

export interface ChecklistStep {
  id: string;
  state: StepState;
}

export interface TraderFacts {
  emailVerified: boolean;
  /** The trader's subscriptions (paid or complimentary), each with whether it grants access now. */
  subscriptions: readonly { entitled: boolean }[];
  /** Free paper copies used, of the allowance (entitlements' freeCopyUsage). */
  freeCopies: { used: number; limit: number };
}

/**
 * - email: the address is confirmed.
 * - provider: the trader follows someone now (an entitled subscription: active, trialing, past due within grace,
 *   complimentary). A subscription that ended does not count: they no longer follow anyone.
 * - paper: a free paper copy has been recorded. Nothing in the app copies signals yet (the copy engine is not built),
 *   so until a copy exists the step is information about the free tier, not a box left unticked.
 */
export function traderChecklist(f: TraderFacts): ChecklistStep[] {
  return [
    { id: "email", state: f.emailVerified ? "done" : "todo" },
    { id: "provider", state: f.subscriptions.some((s) => s.entitled) ? "done" : "todo" },
    { id: "paper", state: f.freeCopies.used > 0 ? "done" : "info" },
  ];
}

export interface ProviderFacts {
  emailVerified: boolean;
  profile: { tagline: string; bio: string; markets: readonly string[] };
  activeApiKeys: number;
  payoutsEnabled: boolean;
}

/** The profile is complete when it says what the provider does: a tagline, a bio and at least one market. */
export const profileComplete = (p: ProviderFacts["profile"]) => Boolean(p.tagline.trim() && p.bio.trim() && p.markets.length);

export function providerChecklist(f: ProviderFacts): ChecklistStep[] {
  return [
    { id: "email", state: f.emailVerified ? "done" : "todo" },
    { id: "profile", state: profileComplete(f.profile) ? "done" : "todo" },
    { id: "api-key", state: f.activeApiKeys > 0 ? "done" : "todo" },
    { id: "payouts", state: f.payoutsEnabled ? "done" : "todo" },
  ];
}

/** Steps done of those that can be done (information steps are not counted). */
export function progress(steps: readonly ChecklistStep[]): { done: number; total: number } {
  const countable = steps.filter((s) => s.state !== "info");
  return { done: countable.filter((s) => s.state === "done").length, total: countable.length };
}
