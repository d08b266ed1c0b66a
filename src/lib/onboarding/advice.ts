/**
 * What the onboarding emails and the dashboard checklist say about each step: a title, one line of advice and where
 * in the app it is done (a path, made absolute by the caller). The emails advise only on steps still to do, so a
 * trader who already subscribed is never told how to subscribe.
 */
import type { StepId } from "@/lib/checklist";

export interface StepAdvice {
  title: string;
  /** Advice for someone who has not done the step yet. */
  advice: string;
  /** Where the step is done, relative to the app's base URL. */
  path: string;
}

export const STEP_ADVICE: Record<StepId, StepAdvice> = {
  disclaimer: {
    title: "Accept the risk disclaimer",
    advice: "Trading signals carry risk: read and accept the disclaimer before copying anything.",
    path: "/welcome",
  },
  browse: {
    title: "Browse the marketplace",
    advice: "Compare providers by their verified track records: ROI, win rate, drawdown and risk-adjusted score, all computed by Tradsy.",
    path: "/providers",
  },
  subscribe: {
    title: "Subscribe to a provider",
    advice: "Open a provider's profile, check the record behind the numbers, and subscribe to get their signals with entry, stop and targets.",
    path: "/providers",
  },
  copy: {
    title: "Turn on copying",
    advice: "Copy a provider's signals into your paper account first, with your own sizing and risk limits: nothing real is at stake.",
    path: "/copy",
  },
  exchange: {
    title: "Connect an exchange",
    advice: "When you are ready, add an exchange API key (trade-only, sandbox first) and send a following to it.",
    path: "/copy/connections",
  },
  profile: {
    title: "Complete your public profile",
    advice: "A tagline, a bio describing your method and the markets you trade: traders read it before they subscribe.",
    path: "/settings#provider-profile",
  },
  payouts: {
    title: "Set up payouts",
    advice: "Connect a Stripe account so subscribers can pay you; you receive 70% of each subscription.",
    path: "/revenue#payouts",
  },
  price: {
    title: "Set your price",
    advice: "Choose a monthly price and an optional free trial; existing subscribers keep the price they signed up at.",
    path: "/revenue#price",
  },
  signal: {
    title: "Publish your first signal",
    advice: "Every signal is hash-chained and priced by Tradsy: your track record starts with the first one.",
    path: "/signals",
  },
  tradingview: {
    title: "Connect a TradingView alert",
    advice: "Create your webhook URL and paste it into a TradingView alert: your strategy then publishes signals by itself.",
    path: "/settings#tradingview",
  },
};

/** General tips that hold whatever a user has done (day 3), by path. */
export const GENERAL_TIPS: Record<"trader" | "provider", string[]> = {
  trader: [
    "Look at the drawdown, not only the return: it tells you how much a provider's record fell before it rose.",
    "Keep each following's allocation small and set a daily loss limit: copying stops by itself when it is reached.",
  ],
  provider: [
    "Publish with a stop-loss every time: traders filter by drawdown, and a record without stops is ranked on its worst day.",
    "A ranked record needs 30 days and 20 closed signals: close signals when you exit, so they count.",
  ],
};
