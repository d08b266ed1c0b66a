/**
 * Billing: Connect onboarding and pricing for providers, Checkout and subscription management for traders.
 * Owners always come from the caller (`ctx.actor`, the session; for providers, the profile the procedure ladder
 * looked up from it), never from input. Stripe is told what to do here; our tables follow from its webhook events
 * (./webhooks), except where noted.
 */
import "server-only";
import { and, desc, eq, gt, inArray } from "drizzle-orm";
import type { PriceInput } from "@/lib/validation/billing";
import { db } from "@/server/db";
import { checkoutSessions, personalProviderOf, providerPrices, providers, strategyRuns, subscriptions, users, LIVE_SUBSCRIPTION_STATUSES } from "@/server/db/schema";
import { ConflictError, ForbiddenError, NotFoundError } from "@/server/errors";
import { incubatingMessage, isIncubating } from "@/lib/strategy-runs";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext, ServiceContext } from "@/server/services/context";
import { getPaymentsGateway, returnUrl } from "./gateway";
import { accountFlags, syncSubscription } from "./webhooks";

export { answerStripeWebhook, receiveStripeWebhook, processStripeEvent, syncSubscription, HANDLED_EVENTS } from "./webhooks";
export { createEmbeddedGateway, embeddedStripe, getPaymentsGateway, setPaymentsGateway } from "./gateway";
export { ownerRevenue, providerRevenue, platformRevenue } from "./revenue";

type Provider = typeof providers.$inferSelect;

/** The connected account a provider's subscription payments go to (its `transfer_data.destination`). */
export interface PayoutAccount {
  stripeAccountId: string | null;
  chargesEnabled: boolean;
}

/**
 * Where a provider's payments go: its own Connect account; for an automated provider (a strategy its owner runs
 * live, services/strategy-runs) the owner's personal provider's account. A person has one payout account (one
 * Express account, one identity check, one bank), however many strategies they run, so an automated provider holds
 * none of its own and Stripe's `account.updated` keeps updating the one row that does.
 */
export async function payoutAccountOf(provider: Provider): Promise<PayoutAccount> {
  if (!provider.automated) return { stripeAccountId: provider.stripeAccountId, chargesEnabled: provider.chargesEnabled };
  const personal = await db.query.providers.findFirst({ where: personalProviderOf(provider.userId), columns: { stripeAccountId: true, chargesEnabled: true } });
  return { stripeAccountId: personal?.stripeAccountId ?? null, chargesEnabled: personal?.chargesEnabled ?? false };
}

/** Paid subscriptions need charges enabled on the connected account payments go to, and a Stripe Price. */
const takesSubscribers = (p: Provider, account: PayoutAccount) => account.chargesEnabled && Boolean(account.stripeAccountId) && Boolean(p.stripePriceId);

/** Why a provider takes no paid subscriber yet, in the words a trader sees (null: it does). */
function notTakingSubscribers(p: Provider, account: PayoutAccount): string | null {
  if (!account.stripeAccountId || !account.chargesEnabled) return `${p.displayName} isn't taking subscribers yet: their payout account isn't set up`;
  if (!p.stripePriceId) return `${p.displayName} isn't taking subscribers yet: no monthly price is set`;
  return null;
}

function liveSubscription(subscriberId: string, providerId: string) {
  return db.query.subscriptions.findFirst({
    where: and(eq(subscriptions.subscriberId, subscriberId), eq(subscriptions.providerId, providerId), inArray(subscriptions.status, LIVE_SUBSCRIPTION_STATUSES)),
    columns: { id: true, status: true, cancelAtPeriodEnd: true, currentPeriodEnd: true },
  });
}

// ---- providers: payouts and price ---------------------------------------------------------------------------------

/**
 * Starts (or resumes) Stripe Connect Express onboarding; returns the account link to send the provider to.
 * `provider` is the actor's own profile (providerProcedure).
 */
export async function startConnectOnboarding(ctx: ActingContext, provider: Provider): Promise<{ url: string }> {
  const gateway = getPaymentsGateway();
  let accountId = provider.stripeAccountId;
  if (!accountId) {
    const [owner] = await db.select({ email: users.email }).from(users).where(eq(users.id, provider.userId));
    if (!owner) throw new NotFoundError("Account not found");
    accountId = (await gateway.createConnectAccount({ providerId: provider.id, email: owner.email })).id;
    await db.transaction(async (tx) => {
      await tx.update(providers).set({ stripeAccountId: accountId }).where(eq(providers.id, provider.id));
      await recordAudit(tx, { actorId: ctx.actor.id, action: "billing.connect_account_created", targetType: "provider", targetId: provider.id, ip: ctx.ip, userAgent: ctx.userAgent });
    });
  }
  return gateway.createAccountLink({ accountId, refreshUrl: returnUrl(ctx, "/revenue?onboarding=refresh"), returnUrl: returnUrl(ctx, "/revenue?onboarding=return") });
}

/**
 * On return from onboarding, read the account once so the page is current even before `account.updated` arrives
 * (the webhook stays the source of truth; this writes the same three flags from the same object).
 */
export async function refreshConnectAccount(provider: Provider): Promise<void> {
  if (!provider.stripeAccountId) return;
  const account = await getPaymentsGateway().retrieveAccount(provider.stripeAccountId);
  await db.update(providers).set(accountFlags(account)).where(eq(providers.id, provider.id));
}

/**
 * Sets the monthly price and trial. A new amount creates a new Stripe Price for new subscribers; existing
 * subscriptions stay on theirs. The Product is created once, on the first price.
 */
export async function setProviderPrice(ctx: ActingContext, provider: Provider, input: PriceInput): Promise<{ priceCents: number; trialDays: number; stripePriceId: string }> {
  const gateway = getPaymentsGateway();
  let productId = provider.stripeProductId;
  if (!productId) {
    productId = (await gateway.createProduct({ providerId: provider.id, name: `${provider.displayName} — Tradsy signals` })).id;
    await db.update(providers).set({ stripeProductId: productId }).where(eq(providers.id, provider.id));
  }
  let priceId = provider.stripePriceId;
  if (!priceId || input.priceCents !== provider.priceCents) {
    priceId = (await gateway.createPrice({ providerId: provider.id, productId, amountCents: input.priceCents })).id;
  }
  await db.transaction(async (tx) => {
    if (priceId !== provider.stripePriceId) await tx.insert(providerPrices).values({ id: priceId, providerId: provider.id, amountCents: input.priceCents }).onConflictDoNothing();
    await tx.update(providers).set({ priceCents: input.priceCents, trialDays: input.trialDays, stripePriceId: priceId }).where(eq(providers.id, provider.id));
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "billing.price_set",
      targetType: "provider",
      targetId: provider.id,
      data: { from: provider.priceCents, to: input.priceCents, trialDays: input.trialDays, priceId },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
  });
  return { priceCents: input.priceCents, trialDays: input.trialDays, stripePriceId: priceId };
}

export function payoutStatus(provider: Provider) {
  return {
    mode: getPaymentsGateway().mode,
    connected: Boolean(provider.stripeAccountId),
    detailsSubmitted: provider.detailsSubmitted,
    chargesEnabled: provider.chargesEnabled,
    payoutsEnabled: provider.payoutsEnabled,
    priceCents: provider.priceCents,
    trialDays: provider.trialDays,
    priceReady: Boolean(provider.stripePriceId),
    acceptingSubscribers: takesSubscribers(provider, provider),
  };
}

// ---- traders: checkout and management -----------------------------------------------------------------------------

/** Why a deleted provider takes no subscription (its profile stays, for the chain and its old links). */
export const PROVIDER_CLOSED = "This provider has closed their account";

/** Why an automated provider whose strategy has stopped takes no new subscriber. */
export const STRATEGY_STOPPED = "This strategy has stopped running, so it publishes no more signals";

/**
 * The provider; whether it is closed to subscribers for good (its owner deleted their account, or it is an automated
 * provider whose strategy run has stopped: a stopped run never restarts); and where its payments would go.
 */
async function providerAndOwner(providerId: string): Promise<{ provider: Provider; closed: string | null; account: PayoutAccount; strategy: StrategyVersion | null }> {
  const [row] = await db
    .select({
      provider: providers,
      deletedAt: users.deletedAt,
      runStatus: strategyRuns.status,
      version: strategyRuns.strategyVersion,
      versionStartedAt: strategyRuns.versionStartedAt,
      runStartedAt: strategyRuns.createdAt,
    })
    .from(providers)
    .innerJoin(users, eq(users.id, providers.userId))
    .leftJoin(strategyRuns, eq(strategyRuns.providerId, providers.id))
    .where(eq(providers.id, providerId));
  if (!row) throw new NotFoundError("No such provider");
  const closed = row.deletedAt !== null ? PROVIDER_CLOSED : row.provider.automated && row.runStatus !== "running" ? STRATEGY_STOPPED : null;
  // versionStartedAt is set only when an A/B test's winner is promoted (services/strategy-runs/ab-tests); null: since the start.
  const strategy = row.version !== null && row.runStartedAt !== null ? { version: row.version, since: row.versionStartedAt ?? row.runStartedAt, promotedAt: row.versionStartedAt } : null;
  return { provider: row.provider, closed, account: await payoutAccountOf(row.provider), strategy };
}

/** The version an automated provider's strategy trades, and since when. */
export interface StrategyVersion {
  version: number;
  /** When this version started trading: the run's start, or the promotion that made it. */
  since: Date;
  /** When an A/B test's winner became this version; null for the version the run started with. */
  promotedAt: Date | null;
}

/** Whether this provider takes paid subscribers now, and the caller's live subscription to it, if any. */
export async function subscribeState(ctx: ServiceContext, providerId: string) {
  const caller = ctx.actor;
  const { provider, closed, account, strategy } = await providerAndOwner(providerId);
  const live = caller ? await liveSubscription(caller.id, providerId) : undefined;
  const incubating = isIncubating(provider, ctx.now);
  return {
    acceptingSubscribers: !closed && !incubating && takesSubscribers(provider, account),
    closed: closed !== null,
    /** Why it is closed for good (a deleted account, a stopped strategy), or null. */
    closedReason: closed,
    /** An automated strategy still incubating takes no subscriber before this (null: not incubating). */
    incubatingUntil: incubating ? provider.listedFrom : null,
    /** A strategy running live rather than a person (services/strategy-runs). */
    automated: provider.automated,
    /** An automated provider's strategy version (null for a person). */
    strategy: provider.automated ? strategy : null,
    priceCents: provider.priceCents,
    trialDays: provider.trialDays,
    own: caller?.id === provider.userId,
    subscription: live ?? null,
  };
}

/** Opens Stripe Checkout (or reuses the caller's open session) for a monthly subscription to a provider. */
export async function startCheckout(ctx: ActingContext, providerId: string): Promise<{ url: string }> {
  const caller = ctx.actor;
  const { provider, closed, account } = await providerAndOwner(providerId);
  if (closed) throw new ConflictError(closed);
  if (isIncubating(provider, ctx.now)) throw new ConflictError(incubatingMessage(provider.displayName, provider.listedFrom!));
  if (provider.userId === caller.id) throw new ForbiddenError("You can't subscribe to your own signals");
  if (caller.role === "admin") throw new ForbiddenError("Admin accounts can't subscribe; use a trader account");
  const refusal = notTakingSubscribers(provider, account);
  if (refusal || !account.stripeAccountId || !provider.stripePriceId) throw new ConflictError(refusal ?? "This provider isn't taking subscribers yet");
  const live = await liveSubscription(caller.id, providerId);
  if (live) throw new ConflictError(`You already subscribe to ${provider.displayName} (${live.status.replace("_", " ")}); manage it under Subscriptions`);

  const open = await db.query.checkoutSessions.findFirst({
    where: and(
      eq(checkoutSessions.subscriberId, caller.id),
      eq(checkoutSessions.providerId, providerId),
      eq(checkoutSessions.status, "open"),
      eq(checkoutSessions.stripePriceId, provider.stripePriceId),
      gt(checkoutSessions.expiresAt, new Date(ctx.now.getTime() + 5 * 60_000)),
    ),
    orderBy: desc(checkoutSessions.createdAt),
  });
  if (open) return { url: open.url };

  const gateway = getPaymentsGateway();
  const customerId = await ensureCustomer(caller);
  const session = await gateway.createCheckoutSession({
    customerId,
    priceId: provider.stripePriceId,
    destinationAccountId: account.stripeAccountId,
    trialDays: provider.trialDays,
    metadata: { subscriberId: caller.id, providerId: provider.id },
    successUrl: returnUrl(ctx, "/subscriptions/welcome?session_id={CHECKOUT_SESSION_ID}"),
    cancelUrl: returnUrl(ctx, `/providers/${provider.slug}?checkout=canceled`),
  });
  await db.insert(checkoutSessions).values({ id: session.id, subscriberId: caller.id, providerId, stripePriceId: provider.stripePriceId, url: session.url, expiresAt: session.expiresAt });
  return { url: session.url };
}

async function ensureCustomer(caller: { id: string }): Promise<string> {
  const [user] = await db.select({ stripeCustomerId: users.stripeCustomerId, email: users.email, name: users.name }).from(users).where(eq(users.id, caller.id));
  if (!user) throw new NotFoundError("Account not found");
  if (user.stripeCustomerId) return user.stripeCustomerId;
  const { id } = await getPaymentsGateway().createCustomer({ userId: caller.id, email: user.email, name: user.name });
  await db.update(users).set({ stripeCustomerId: id }).where(eq(users.id, caller.id));
  return id;
}

async function ownSubscription(callerId: string, subscriptionId: string) {
  // INVARIANT: the subscription must be the caller's; someone else's id is "not found", not "forbidden".
  const row = await db.query.subscriptions.findFirst({ where: and(eq(subscriptions.id, subscriptionId), eq(subscriptions.subscriberId, callerId)) });
  if (!row) throw new NotFoundError("No such subscription");
  if (!row.stripeSubscriptionId) throw new ConflictError("This subscription isn't billed through Stripe, so there is nothing to change there");
  return row as typeof row & { stripeSubscriptionId: string };
}

export type ManageAction = "cancel" | "resume" | "pause";

/**
 * Cancel at period end, resume (undo a pending cancel or a pause) or pause collection. Stripe answers with the
 * updated subscription; we apply it at once so the page is current, and the `customer.subscription.updated` event
 * that follows applies the same state again.
 */
export async function manageSubscription(ctx: ActingContext, subscriptionId: string, action: ManageAction) {
  const callerId = ctx.actor.id;
  const row = await ownSubscription(callerId, subscriptionId);
  if (row.status === "canceled") throw new ConflictError("This subscription has ended; subscribe again from the provider's page");
  if (action === "cancel" && row.cancelAtPeriodEnd) throw new ConflictError("This subscription is already set to end at the close of the period");
  if (action === "pause" && row.status === "paused") throw new ConflictError("This subscription is already paused");
  if (action === "resume" && !row.cancelAtPeriodEnd && row.status !== "paused") throw new ConflictError("This subscription is already running");
  if (action === "resume" || action === "pause") {
    // A stopped strategy's subscriptions run out their paid period and end (strategy-runs/pricing): nothing to resume.
    const { closed } = await providerAndOwner(row.providerId);
    if (closed) throw new ConflictError(`${closed}: this subscription ends at the close of the period you paid for, with no further charge`);
  }
  const change = action === "cancel" ? { cancelAtPeriodEnd: true } : action === "pause" ? { pause: true } : { cancelAtPeriodEnd: false, pause: false };
  const gateway = getPaymentsGateway();
  const sub = await gateway.updateSubscription(row.stripeSubscriptionId, change);
  await syncSubscription(gateway, sub);
  await db.transaction((tx) => recordAudit(tx, { actorId: callerId, action: `billing.subscription_${action}`, targetType: "subscription", targetId: row.id }));
  return db.query.subscriptions.findFirst({ where: eq(subscriptions.id, row.id), columns: { id: true, status: true, cancelAtPeriodEnd: true, currentPeriodEnd: true } });
}

/** A Stripe billing portal session for the caller's own customer (card, invoices, cancellation). */
export async function openBillingPortal(ctx: ActingContext): Promise<{ url: string }> {
  const [user] = await db.select({ stripeCustomerId: users.stripeCustomerId }).from(users).where(eq(users.id, ctx.actor.id));
  if (!user?.stripeCustomerId) throw new ConflictError("You have no billing account yet: it is created with your first subscription");
  return getPaymentsGateway().createPortalSession({ customerId: user.stripeCustomerId, returnUrl: returnUrl(ctx, "/subscriptions") });
}

/** The session a trader comes back from after Checkout, if it is theirs (the success page). */
export async function checkoutResult(ctx: ActingContext, sessionId: string) {
  const callerId = ctx.actor.id;
  const row = await db.query.checkoutSessions.findFirst({ where: and(eq(checkoutSessions.id, sessionId), eq(checkoutSessions.subscriberId, callerId)) });
  if (!row) return null;
  const provider = await db.query.providers.findFirst({ where: eq(providers.id, row.providerId), columns: { slug: true, displayName: true } });
  const sub = await liveSubscription(callerId, row.providerId);
  return { status: row.status, provider, subscription: sub ? { status: sub.status, currentPeriodEnd: sub.currentPeriodEnd } : null };
}

