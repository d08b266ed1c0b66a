import "server-only";
import { createCallerFactory, createTRPCRouter } from "./trpc";
import { authRouter } from "./routers/auth";
import { accountRouter } from "./routers/account";
import { apiKeysRouter } from "./routers/api-keys";
import { providersRouter } from "./routers/providers";
import { adminRouter } from "./routers/admin";
import { signalsRouter } from "./routers/signals";
import { subscriptionsRouter } from "./routers/subscriptions";
import { billingRouter } from "./routers/billing";
import { marketDataRouter } from "./routers/market-data";
import { copyRouter } from "./routers/copy";
import { exchangesRouter } from "./routers/exchanges";
import { unsubscribeRouter } from "./routers/unsubscribe";
import { digestsRouter } from "./routers/digests";
import { onboardingRouter } from "./routers/onboarding";
import { channelsRouter } from "./routers/channels";
import { twoFactorRouter } from "./routers/two-factor";
import { sessionsRouter } from "./routers/sessions";
import { privacyRouter } from "./routers/privacy";
import { strategyRunsRouter } from "./routers/strategy-runs";
import { labRouter } from "./routers/lab";
import { libraryRouter } from "./routers/library";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  account: accountRouter,
  apiKeys: apiKeysRouter,
  providers: providersRouter,
  admin: adminRouter,
  signals: signalsRouter,
  subscriptions: subscriptionsRouter,
  billing: billingRouter,
  marketData: marketDataRouter,
  copy: copyRouter,
  exchanges: exchangesRouter,
  unsubscribe: unsubscribeRouter,
  digests: digestsRouter,
  onboarding: onboardingRouter,
  channels: channelsRouter,
  twoFactor: twoFactorRouter,
  sessions: sessionsRouter,
  privacy: privacyRouter,
  strategyRuns: strategyRunsRouter,
  lab: labRouter,
  library: libraryRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
