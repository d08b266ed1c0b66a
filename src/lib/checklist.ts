/**
 * The onboarding checklists (dashboard, and the onboarding emails' advice), each step derived from the data it
 * describes, so a step ticks the moment the thing is true and never otherwise. Two paths:
 * - trader: accept the risk disclaimer, browse the marketplace, subscribe to a provider, turn on copying, connect an
 *   exchange;
 * - provider: complete the profile, set up payouts, set a price, publish a first signal, connect a TradingView alert.
 * Pure: the facts are read by services/onboarding and handed in.
 */

export type StepState = "done" | "todo";

export type TraderStepId = "disclaimer" | "browse" | "subscribe" | "copy" | "exchange";
export type ProviderStepId = "profile" | "payouts" | "price" | "signal" | "tradingview";
export type StepId = TraderStepId | ProviderStepId;

export interface ChecklistStep<Id extends StepId = StepId> {
  id: Id;
  state: StepState;
}

export interface TraderFacts {
  disclaimerAccepted: boolean;
  /** onboarding.marketplace_browsed_at is set (a signed-in visit to the marketplace or a provider profile). */
  marketplaceBrowsed: boolean;
  /** Subscriptions granting access now (active, trialing, past due within grace, complimentary). */
  entitledSubscriptions: number;
  /** Followings with copying turned on (copy_settings.enabled). */
  copyingEnabled: number;
  /** Exchange connections whose key works (status active). */
  activeExchangeConnections: number;
}

export function traderChecklist(f: TraderFacts): ChecklistStep<TraderStepId>[] {
  const step = (id: TraderStepId, done: boolean): ChecklistStep<TraderStepId> => ({ id, state: done ? "done" : "todo" });
  return [
    step("disclaimer", f.disclaimerAccepted),
    step("browse", f.marketplaceBrowsed),
    step("subscribe", f.entitledSubscriptions > 0),
    step("copy", f.copyingEnabled > 0),
    step("exchange", f.activeExchangeConnections > 0),
  ];
}

export interface ProviderFacts {
  profile: { tagline: string; bio: string; markets: readonly string[] };
  payoutsEnabled: boolean;
  /** A price was set through the pricing form (the provider has a Stripe Price), not the default left as is. */
  priceSet: boolean;
  publishedSignals: number;
  /** A TradingView webhook URL was created (providers.webhook_token_hash). */
  tradingViewConnected: boolean;
}

/** The profile is complete when it says what the provider does: a tagline, a bio and at least one market. */
export const profileComplete = (p: ProviderFacts["profile"]) => Boolean(p.tagline.trim() && p.bio.trim() && p.markets.length);

export function providerChecklist(f: ProviderFacts): ChecklistStep<ProviderStepId>[] {
  const step = (id: ProviderStepId, done: boolean): ChecklistStep<ProviderStepId> => ({ id, state: done ? "done" : "todo" });
  return [
    step("profile", profileComplete(f.profile)),
    step("payouts", f.payoutsEnabled),
    step("price", f.priceSet),
    step("signal", f.publishedSignals > 0),
    step("tradingview", f.tradingViewConnected),
  ];
}

export interface Progress {
  done: number;
  total: number;
  /** Whole per cent, 0–100, rounded down (100 only when every step is done). */
  percent: number;
}

export function progress(steps: readonly ChecklistStep[]): Progress {
  const done = steps.filter((s) => s.state === "done").length;
  const total = steps.length;
  return { done, total, percent: total === 0 ? 100 : Math.floor((done * 100) / total) };
}

/** The steps still to do, in checklist order (what the onboarding emails advise on). */
export function stepsToDo<Id extends StepId>(steps: readonly ChecklistStep<Id>[]): Id[] {
  return steps.filter((s) => s.state === "todo").map((s) => s.id);
}
