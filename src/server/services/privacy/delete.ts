/**
 * Account deletion by its owner. What goes, what stays, and why:
 *
 * - Doors first: sessions end, a provider's keys and webhook stop publishing, and it takes no new subscriber (price
 *   and charges off, open checkouts expired; billing refuses a deleted owner's provider whatever its columns say,
 *   and the Stripe webhook cancels a subscription a stale checkout still makes).
 * - Money first, outside the database: every live subscription the user pays for is cancelled at Stripe now (the
 *   payments gateway; the webhook it triggers ends the row as for any cancellation). So is every live subscription
 *   to the user's provider profile: a provider who no longer exists must not keep charging anyone. A gateway failure
 *   stops the deletion before anything is erased (the owner can retry; cancelled ones are skipped).
 * - A provider's live signals end through its own Close/Cancel (chained, fanned out to followers' copies); strategies
 *   running live stop (kill switch) and their automated providers' live signals end the same way.
 * - Copies: every following paused ("account_deleted") before any copy is closed, so no entry slips in; open copies
 *   closed as the follower's kill switch closes them (paper at once; on an exchange a closing order the connection's
 *   run places). A connection with copies still closing stays `removing` and keeps its sealed key only until those
 *   orders filled (exchanges/connections.ts `finishRemovalIfDone` then wipes it); every other connection is removed
 *   and its key erased now.
 * - Erased: API keys revoked; the TradingView webhook token and passphrase; notification channels (with their
 *   deliveries); sessions, OAuth links, recovery codes, email tokens; digest sign-ups under the address; the users
 *   row's personal data (email → `deleted-<id>@deleted.invalid`, name, image, password, 2FA, Stripe customer id);
 *   the email outbox's copies of their emails (address, body and links erased, queued ones never sent). The
 *   deleted address is suppressed, so nothing is ever sent to it. The strategy lab's private data: own rule
 *   strategies, backtests, optimisations (with their trials), A/B tests and the trading profile (risk tolerance, experience); a strategy run live stays (stopped)
 *   with the automated provider whose public record it built, both renamed "Deleted provider".
 * - Kept: the users row (ids in payments, the chain and the audit log point to it) with `deletedAt`; payments and
 *   subscriptions (the law), which hold ids and amounts only; a provider's signals and hash chain, now shown as
 *   "Deleted provider" (the chain hashes no name: it still verifies); copy orders and positions (ids and figures,
 *   the providers' execution statistics count them); the audit log (security record, pruned after a year).
 * - The security alert goes to the old address first (queued in the transaction that erases it): the one email
 *   row that keeps the address, until it is sent (then the drain erases it: ./farewell.ts).
 */
import "server-only";
import { and, eq, inArray, isNull, ne, notInArray, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { db, type Executor } from "@/server/db";
import {
  accounts,
  apiKeys,
  authTokens,
  checkoutSessions,
  copySettings,
  digestSubscribers,
  emailOutbox,
  emailSuppressions,
  exchangeConnections,
  notificationChannels,
  positions,
  providers,
  recoveryCodes,
  sessions,
  signals,
  strategies,
  strategyBacktestRuns,
  strategyOptimizations,
  strategyAbTests,
  strategyRuns,
  subscriptions,
  userSessions,
  users,
  verificationTokens,
  LIVE_SUBSCRIPTION_STATUSES,
  personalProviderOf,
} from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { getPaymentsGateway } from "@/server/services/billing/gateway";
import { recordAudit } from "@/server/services/audit";
import { queueSecurityAlert } from "@/server/services/alerts/security";
import { verifyPassword } from "@/server/services/auth/passwords";
import { closePositionsNow, requestConnectionRuns } from "@/server/services/copy/engine";
import { cancelSignal, closeSignal } from "@/server/services/signals";
import { stopRunsOfUser } from "@/server/services/strategy-runs";
import { emailsQueued } from "@/server/services/email/delivery";
import type { ActingContext } from "@/server/services/context";
import { deleteAccountSchema, type DeleteAccountInput } from "@/lib/validation/privacy";
import { deletedEmail, ERASED_BODY, FAREWELL_KIND } from "./farewell";

/** What a deleted provider is shown as, on the marketplace's direct links and the chain download. */
export const DELETED_PROVIDER_NAME = "Deleted provider";

export { deletedEmail } from "./farewell";

export interface DeleteAccountResult {
  subscriptionsCancelled: number;
  copiesClosed: number;
  copiesClosing: number;
}

/**
 * Cancels at Stripe (or, never created there, here) every live subscription the account pays or is paid by: to its
 * personal provider or to any strategy it runs live (automated providers take subscribers too).
 */
async function cancelSubscriptions(ctx: ActingContext, userId: string): Promise<number> {
  const owner = sql`(${subscriptions.subscriberId} = ${userId} or ${subscriptions.providerId} in (select ${providers.id} from ${providers} where ${providers.userId} = ${userId}))`;
  const live = await db
    .select({ id: subscriptions.id, stripeSubscriptionId: subscriptions.stripeSubscriptionId })
    .from(subscriptions)
    .where(and(owner, inArray(subscriptions.status, LIVE_SUBSCRIPTION_STATUSES)));
  const gateway = getPaymentsGateway();
  for (const s of live) {
    if (s.stripeSubscriptionId) {
      // The webhook this causes (customer.subscription.deleted) ends the row, as for any cancellation at Stripe.
      await gateway.cancelSubscription(s.stripeSubscriptionId);
    } else {
      await db.update(subscriptions).set({ status: "canceled", canceledAt: ctx.now, updatedAt: ctx.now }).where(and(eq(subscriptions.id, s.id), inArray(subscriptions.status, LIVE_SUBSCRIPTION_STATUSES)));
    }
  }
  return live.length;
}

/** Closes (open) or cancels (pending) every live signal of the provider, through the provider's own actions. */
async function endProviderSignals(ctx: ActingContext, providerId: string): Promise<number> {
  const live = await db
    .select({ id: signals.id, status: signals.status })
    .from(signals)
    .where(and(eq(signals.providerId, providerId), inArray(signals.status, ["open", "pending"])));
  for (const s of live) {
    const owned = { providerId, signalId: s.id };
    try {
      if (s.status === "open") await closeSignal(ctx, owned, {});
      else await cancelSignal(ctx, owned);
    } catch (err) {
      // Its stop or target (or the limit entry filling) got there first: it is over or open anyway, retried below.
      if (!(err instanceof ConflictError)) throw err;
    }
  }
  const left = await db.select({ id: signals.id }).from(signals).where(and(eq(signals.providerId, providerId), inArray(signals.status, ["open", "pending"])));
  if (left.length) {
    // A pending entry filled in between: close it now (once; a failure here stops the deletion, which can be retried).
    for (const s of left) await closeSignal(ctx, { providerId, signalId: s.id }, {}).catch((err: unknown) => { if (!(err instanceof ConflictError)) throw err; });
  }
  return live.length;
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

/**
 * Emails to other people that name the deleted person (a provider told of a new subscriber): the stored copies lose
 * their address and name (the recipient's own mailbox is theirs). The name only when it is long enough to be theirs
 * and not a word of every email ("Al" would maul the rest of the text).
 */
async function scrubOthersEmails(tx: Executor, person: { email: string; name: string | null }, keepId: string | null): Promise<void> {
  const words = [person.email, ...(person.name && person.name.trim().length >= 4 ? [person.name] : [])];
  for (const word of new Set(words.flatMap((w) => [w, escapeHtml(w)]))) {
    const replaced = (column: AnyPgColumn) => sql<string>`replace(${column}, ${word}, ${"(a deleted account)"})`;
    await tx
      .update(emailOutbox)
      .set({ html: replaced(emailOutbox.html), text: replaced(emailOutbox.text), subject: replaced(emailOutbox.subject) })
      .where(and(sql`(strpos(${emailOutbox.html}, ${word}) > 0 or strpos(${emailOutbox.text}, ${word}) > 0 or strpos(${emailOutbox.subject}, ${word}) > 0)`, keepId ? ne(emailOutbox.id, keepId) : undefined));
  }
}

/**
 * Deletes the acting user's account (see the module comment). The caller proves it is them: the account's email
 * typed again, and the password when the account has one (step-up with two-factor sign-in is the router's).
 */
export async function deleteAccount(ctx: ActingContext, raw: DeleteAccountInput): Promise<DeleteAccountResult> {
  const input = deleteAccountSchema.parse(raw);
  const userId = ctx.actor.id;
  const user = await db.query.users.findFirst({ where: and(eq(users.id, userId), isNull(users.deletedAt)) });
  if (!user) throw new NotFoundError("Account not found");
  if (input.confirmEmail !== user.email) {
    throw new ValidationError("Type your account's email address to confirm", { confirmEmail: ["This is not your account's email address"] });
  }
  if (user.passwordHash && !(input.password && (await verifyPassword(user.passwordHash, input.password)))) {
    throw new ValidationError("Your password is not correct", { password: ["Your password is not correct"] });
  }
  const provider = await db.query.providers.findFirst({ where: personalProviderOf(userId), columns: { id: true } });

  // INVARIANT: the doors shut before anything slow happens. Every other session ends (the version moves on, the rows
  // go), the provider's keys and webhook stop publishing, and it takes no new subscriber (no price, no charges, its
  // open checkouts expired here). If a later step fails the account is signed out and closed to new subscribers,
  // not deleted: the owner signs in again and retries (a price is set again from Revenue).
  await db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    await tx.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1`, updatedAt: ctx.now }).where(eq(users.id, userId));
    await tx.delete(userSessions).where(eq(userSessions.userId, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    if (provider) {
      await tx.update(apiKeys).set({ revokedAt: ctx.now }).where(and(eq(apiKeys.providerId, provider.id), isNull(apiKeys.revokedAt)));
      await tx
        .update(providers)
        .set({ webhookTokenHash: null, webhookPassphraseEnc: null, chargesEnabled: false, stripePriceId: null, updatedAt: ctx.now })
        .where(eq(providers.id, provider.id));
      // Our rows only: a session already paid at Stripe still completes, and the webhook cancels what it started
      // (billing/webhooks.ts insertSubscription refuses a deleted provider), so no gateway call is needed here.
      await tx.update(checkoutSessions).set({ status: "expired" }).where(and(eq(checkoutSessions.providerId, provider.id), eq(checkoutSessions.status, "open")));
    }
  });

  // Strategies running live stop now (no tick publishes after this), their automated providers' live signals ended
  // at the market as the kill switch ends them.
  await stopRunsOfUser(ctx, userId, "The owner deleted their account");

  const subscriptionsCancelled = await cancelSubscriptions(ctx, userId);
  // Stripe's copy of their name and address goes with the customer (after its subscriptions were cancelled).
  if (user.stripeCustomerId) await getPaymentsGateway().eraseCustomer(user.stripeCustomerId);

  // INVARIANT: followings paused before their copies close, so the fan-out cannot open a new one in between.
  await db
    .update(copySettings)
    .set({ enabled: false, pausedReason: "account_deleted", pausedAt: ctx.now, updatedAt: ctx.now })
    .where(eq(copySettings.userId, userId));
  const closing = await closePositionsNow({ userId, reason: "manual", now: ctx.now });
  // The provider's own live signals end as its "Close" and "Cancel" buttons end them: a chained event at the market
  // price that fans out to every follower's copy (no signal is left open that nobody could ever close).
  const signalsClosed = provider ? await endProviderSignals(ctx, provider.id) : 0;

  const removing = await db.transaction(async (tx) => {
    // INVARIANT: serialises with a write from a request already past the session check (an exchange connection,
    // say): it either commits before this erase, and is erased with the rest, or sees `deletedAt` and refuses.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for("update");
    // The alert reads the address and name: queued before they are erased, in the same transaction.
    await queueSecurityAlert(tx, ctx, userId, "account_deleted");
    const [farewell] = await tx
      .select({ id: emailOutbox.id })
      .from(emailOutbox)
      .where(and(eq(emailOutbox.userId, userId), eq(emailOutbox.kind, FAREWELL_KIND), eq(emailOutbox.status, "queued")))
      .orderBy(sql`${emailOutbox.createdAt} desc`)
      .limit(1);

    // Exchange connections: those with copies still to close on them wait for the closing orders (`removing`).
    const stillOpen = await tx
      .selectDistinct({ venue: positions.venue })
      .from(positions)
      .where(and(eq(positions.userId, userId), eq(positions.status, "open"), ne(positions.venue, "paper")));
    const busy = stillOpen.map((p) => p.venue);
    const liveConnections = and(eq(exchangeConnections.userId, userId), ne(exchangeConnections.status, "removed"));
    const removingRows = busy.length
      ? await tx
          .update(exchangeConnections)
          .set({ status: "removing", statusReason: "The account was deleted: closing its copies before removal", updatedAt: ctx.now })
          .where(and(liveConnections, inArray(exchangeConnections.id, busy)))
          .returning({ id: exchangeConnections.id })
      : [];
    await tx
      .update(exchangeConnections)
      .set({ status: "removed", statusReason: null, credentialsSealed: "", keyHint: "", updatedAt: ctx.now })
      .where(busy.length ? and(liveConnections, notInArray(exchangeConnections.id, busy)) : liveConnections);

    if (provider) {
      // Again here: a key made from a session that was already past its check before the doors shut.
      await tx.update(apiKeys).set({ revokedAt: ctx.now }).where(and(eq(apiKeys.providerId, provider.id), isNull(apiKeys.revokedAt)));
      // The slug stays: it is the chain's public address (/api/v1/providers/<slug>/chain), which must keep working.
      await tx
        .update(providers)
        .set({ displayName: DELETED_PROVIDER_NAME, tagline: "", bio: "", webhookTokenHash: null, webhookPassphraseEnc: null, chargesEnabled: false, stripePriceId: null, updatedAt: ctx.now })
        .where(eq(providers.id, provider.id));
    }
    await tx.delete(notificationChannels).where(eq(notificationChannels.userId, userId));
    await tx.delete(userSessions).where(eq(userSessions.userId, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await tx.delete(accounts).where(eq(accounts.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.delete(authTokens).where(eq(authTokens.userId, userId));
    await tx.delete(verificationTokens).where(eq(verificationTokens.identifier, user.email));
    await tx.delete(digestSubscribers).where(eq(digestSubscribers.email, user.email));
    await tx.delete(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, userId));
    await tx.delete(strategyOptimizations).where(eq(strategyOptimizations.userId, userId));
    await tx.delete(strategyAbTests).where(eq(strategyAbTests.userId, userId));
    await tx.delete(strategies).where(eq(strategies.userId, userId));
    // The strategies they ran live keep their record at its slug, under the same name as a deleted provider.
    await tx
      .update(providers)
      .set({ displayName: DELETED_PROVIDER_NAME, tagline: "", bio: "", updatedAt: ctx.now })
      .where(and(eq(providers.userId, userId), eq(providers.automated, true)));
    await tx.update(strategyRuns).set({ name: DELETED_PROVIDER_NAME, updatedAt: ctx.now }).where(eq(strategyRuns.userId, userId));

    // Their emails: queued ones are never sent, every copy loses its address, body and links. The farewell alert
    // keeps them until it is sent (it is addressed to the old address by design).
    const gone = deletedEmail(userId);
    await tx
      .update(emailOutbox)
      .set({
        to: gone,
        html: ERASED_BODY,
        text: ERASED_BODY,
        oneTimeLinksEnc: null,
        unsubscribeUrl: null,
        status: sql`case when ${emailOutbox.status} = 'queued' then 'suppressed'::email_status else ${emailOutbox.status} end`,
        nextAttemptAt: null,
      })
      .where(and(eq(emailOutbox.userId, userId), farewell ? ne(emailOutbox.id, farewell.id) : undefined));
    await tx.insert(emailSuppressions).values({ email: gone, reason: "suppressed" }).onConflictDoNothing();
    await scrubOthersEmails(tx, { email: user.email, name: user.name }, farewell?.id ?? null);

    await tx
      .update(users)
      .set({
        email: gone,
        name: null,
        image: null,
        emailVerified: null,
        passwordHash: null,
        totpSecretEnc: null,
        totpEnabledAt: null,
        totpLastStep: null,
        stripeCustomerId: null,
        riskTolerance: null,
        experience: null,
        deletedAt: ctx.now,
        // Ends every session still holding a token: the jwt callback compares it on every resolve.
        sessionVersion: sql`${users.sessionVersion} + 1`,
        updatedAt: ctx.now,
      })
      .where(eq(users.id, userId));
    await recordAudit(tx, {
      actorId: userId,
      action: "account.deleted",
      targetType: "user",
      targetId: userId,
      data: { subscriptionsCancelled, copiesClosed: closing.closed, copiesClosing: closing.planned, signalsClosed, provider: provider?.id ?? null },
      ip: ctx.ip,
      userAgent: ctx.userAgent ?? null,
    });
    return removingRows.map((r) => r.id);
  });

  // A checkout that completed between the first cancellation and `deletedAt` made a subscription the webhook did not
  // refuse (it refuses from `deletedAt` on): a second sweep ends it. Best effort: the account is already deleted.
  if (provider) {
    await cancelSubscriptions(ctx, userId).catch((err: unknown) => ctx.log.error({ err, userId }, "account deleted: second subscription sweep failed"));
  }
  // Likewise a strategy started between the first stop and `deletedAt` (a start refuses from `deletedAt` on).
  await stopRunsOfUser(ctx, userId, "The owner deleted their account").catch((err: unknown) => ctx.log.error({ err, userId }, "account deleted: second strategy stop failed"));
  await requestConnectionRuns(removing);
  await emailsQueued();
  ctx.log.info({ userId, subscriptionsCancelled, closed: closing.closed, planned: closing.planned }, "account deleted");
  return { subscriptionsCancelled, copiesClosed: closing.closed, copiesClosing: closing.planned };
}
