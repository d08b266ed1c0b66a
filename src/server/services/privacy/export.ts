/**
 * "Download your data": everything Tradsy holds about one account, as one JSON document (GET /api/account/export).
 *
 * Every query here is scoped by the acting user's id (or their own provider's id), and every table is read column
 * by column: a column added later is not exported until someone decides it belongs here. Never exported: password
 * hashes, sealed values (TOTP secret, exchange keys, channel URLs and secrets, one-time links), key and token hashes,
 * session ids. Rows that also concern other people are exported only in the parts that are this user's: a
 * provider's received payments without who paid, no list of their subscribers or followers.
 */
import "server-only";
import { and, asc, eq, getTableColumns, isNull } from "drizzle-orm";
import { db } from "@/server/db";
import {
  apiKeys,
  auditLog,
  copyOrders,
  copySettings,
  emailOutbox,
  exchangeConnections,
  notificationChannels,
  notificationPrefs,
  onboarding,
  paperAccounts,
  payments,
  positions,
  providerAlertPrefs,
  providers,
  recoveryCodes,
  signals,
  strategies,
  strategyBacktestRuns,
  strategyOptimizations,
  strategyAbTests,
  strategyOptimizationTrials,
  strategyRuns,
  subscriptions,
  userSessions,
  users,
  personalProviderOf,
} from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { shownHint } from "@/server/services/channels/destinations";
import { signalStateColumns } from "@/server/services/chain";

/** Bumped when the document's shape changes, so a reader of an old download knows what it holds. */
export const EXPORT_FORMAT = "tradsy-account-export/1";

async function providerPart(providerId: string) {
  const [profile] = await db
    .select({
      id: providers.id,
      slug: providers.slug,
      displayName: providers.displayName,
      tagline: providers.tagline,
      bio: providers.bio,
      markets: providers.markets,
      priceCents: providers.priceCents,
      trialDays: providers.trialDays,
      chargesEnabled: providers.chargesEnabled,
      payoutsEnabled: providers.payoutsEnabled,
      hasTradingViewWebhook: providers.webhookTokenHash,
      createdAt: providers.createdAt,
    })
    .from(providers)
    .where(eq(providers.id, providerId));
  const [signalRows, keyRows, received] = await Promise.all([
    // The same columns as the public chain download (the provider's signals are public anyway), no other.
    db
      .select(signalStateColumns)
      .from(signals)
      .where(eq(signals.providerId, providerId))
      .orderBy(asc(signals.number)),
    db
      .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt, lastUsedAt: apiKeys.lastUsedAt, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(eq(apiKeys.providerId, providerId))
      .orderBy(asc(apiKeys.createdAt)),
    // What the provider was paid: amounts only. Who paid is the subscriber's data, not the provider's.
    db
      .select({
        id: payments.id,
        currency: payments.currency,
        amountCents: payments.amountCents,
        platformFeeCents: payments.platformFeeCents,
        providerShareCents: payments.providerShareCents,
        refundedCents: payments.refundedCents,
        status: payments.status,
        paidAt: payments.paidAt,
      })
      .from(payments)
      .where(eq(payments.providerId, providerId))
      .orderBy(asc(payments.paidAt)),
  ]);
  if (!profile) return null;
  const { hasTradingViewWebhook, ...rest } = profile;
  return { profile: { ...rest, hasTradingViewWebhook: hasTradingViewWebhook !== null }, signals: signalRows, apiKeys: keyRows, paymentsReceived: received };
}

/** The export document of the acting user. */
export async function buildAccountExport(ctx: ActingContext) {
  const userId = ctx.actor.id;
  const [user] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      emailVerified: users.emailVerified,
      image: users.image,
      role: users.role,
      hasPassword: users.passwordHash,
      twoFactorEnabledAt: users.totpEnabledAt,
      disclaimerAcceptedAt: users.disclaimerAcceptedAt,
      termsAcceptedAt: users.termsAcceptedAt,
      riskTolerance: users.riskTolerance,
      experience: users.experience,
      stripeCustomerId: users.stripeCustomerId,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!user) throw new NotFoundError("Account not found");
  const { hasPassword, ...profile } = user;

  const ownProvider = await db.query.providers.findFirst({ where: personalProviderOf(userId), columns: { id: true } });

  const [
    prefs,
    alertPrefs,
    onboardingRow,
    subscriptionRows,
    paymentRows,
    followings,
    paperAccount,
    orderRows,
    positionRows,
    connections,
    channels,
    sessionRows,
    recoveryCodesLeft,
    emails,
    audit,
    provider,
  ] = await Promise.all([
    db
      .select({
        signalEmails: notificationPrefs.signalEmails,
        digestEmails: notificationPrefs.digestEmails,
        productEmails: notificationPrefs.productEmails,
        copyEmails: notificationPrefs.copyEmails,
        digestHour: notificationPrefs.digestHour,
        timeZone: notificationPrefs.timeZone,
        updatedAt: notificationPrefs.updatedAt,
      })
      .from(notificationPrefs)
      .where(eq(notificationPrefs.userId, userId)),
    db
      .select({ providerId: providerAlertPrefs.providerId, newSignal: providerAlertPrefs.newSignal, signalClosed: providerAlertPrefs.signalClosed })
      .from(providerAlertPrefs)
      .where(eq(providerAlertPrefs.userId, userId)),
    db
      .select({ path: onboarding.path, checklistSkippedAt: onboarding.checklistSkippedAt, createdAt: onboarding.createdAt })
      .from(onboarding)
      .where(eq(onboarding.userId, userId)),
    db
      .select({
        id: subscriptions.id,
        providerId: subscriptions.providerId,
        providerSlug: providers.slug,
        providerName: providers.displayName,
        status: subscriptions.status,
        priceCents: subscriptions.priceCents,
        currentPeriodStart: subscriptions.currentPeriodStart,
        currentPeriodEnd: subscriptions.currentPeriodEnd,
        cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd,
        canceledAt: subscriptions.canceledAt,
        stripeSubscriptionId: subscriptions.stripeSubscriptionId,
        createdAt: subscriptions.createdAt,
      })
      .from(subscriptions)
      .innerJoin(providers, eq(providers.id, subscriptions.providerId))
      .where(eq(subscriptions.subscriberId, userId))
      .orderBy(asc(subscriptions.createdAt)),
    db
      .select({
        id: payments.id,
        subscriptionId: payments.subscriptionId,
        providerId: payments.providerId,
        stripeInvoiceId: payments.stripeInvoiceId,
        currency: payments.currency,
        amountCents: payments.amountCents,
        refundedCents: payments.refundedCents,
        status: payments.status,
        periodStart: payments.periodStart,
        periodEnd: payments.periodEnd,
        paidAt: payments.paidAt,
      })
      .from(payments)
      .where(eq(payments.subscriberId, userId))
      .orderBy(asc(payments.paidAt)),
    db
      .select({
        id: copySettings.id,
        providerId: copySettings.providerId,
        providerSlug: providers.slug,
        enabled: copySettings.enabled,
        venue: copySettings.venue,
        sizingMode: copySettings.sizingMode,
        allocationPct: copySettings.allocationPct,
        fixedAmount: copySettings.fixedAmount,
        allocationShare: copySettings.allocationShare,
        riskPct: copySettings.riskPct,
        scale: copySettings.scale,
        maxPositionPct: copySettings.maxPositionPct,
        maxOpenPositions: copySettings.maxOpenPositions,
        dailyLossPct: copySettings.dailyLossPct,
        copyStopPct: copySettings.copyStopPct,
        maxSlippagePct: copySettings.maxSlippagePct,
        maxSignalAgeSec: copySettings.maxSignalAgeSec,
        symbolsAllow: copySettings.symbolsAllow,
        symbolsDeny: copySettings.symbolsDeny,
        copyOpenSignals: copySettings.copyOpenSignals,
        pausedReason: copySettings.pausedReason,
        startedAt: copySettings.startedAt,
        createdAt: copySettings.createdAt,
      })
      .from(copySettings)
      .innerJoin(providers, eq(providers.id, copySettings.providerId))
      .where(eq(copySettings.userId, userId)),
    db
      .select({ currency: paperAccounts.currency, startingBalance: paperAccounts.startingBalance, balance: paperAccounts.balance, resets: paperAccounts.resets, createdAt: paperAccounts.createdAt })
      .from(paperAccounts)
      .where(eq(paperAccounts.userId, userId)),
    db
      .select({
        id: copyOrders.id,
        clientOrderId: copyOrders.clientOrderId,
        providerId: copyOrders.providerId,
        signalId: copyOrders.signalId,
        positionId: copyOrders.positionId,
        venue: copyOrders.venue,
        symbol: copyOrders.symbol,
        side: copyOrders.side,
        leg: copyOrders.leg,
        orderType: copyOrders.orderType,
        status: copyOrders.status,
        reason: copyOrders.reason,
        requestedPrice: copyOrders.requestedPrice,
        limitPrice: copyOrders.limitPrice,
        fillPrice: copyOrders.fillPrice,
        quantity: copyOrders.quantity,
        fee: copyOrders.fee,
        slippageBps: copyOrders.slippageBps,
        createdAt: copyOrders.createdAt,
        filledAt: copyOrders.filledAt,
      })
      .from(copyOrders)
      .where(eq(copyOrders.userId, userId))
      .orderBy(asc(copyOrders.createdAt), asc(copyOrders.id)),
    db
      .select({
        id: positions.id,
        providerId: positions.providerId,
        signalId: positions.signalId,
        venue: positions.venue,
        symbol: positions.symbol,
        side: positions.side,
        status: positions.status,
        quantity: positions.quantity,
        initialQuantity: positions.initialQuantity,
        avgEntry: positions.avgEntry,
        avgExit: positions.avgExit,
        realizedPnl: positions.realizedPnl,
        fees: positions.fees,
        stopLoss: positions.stopLoss,
        openedAt: positions.openedAt,
        closedAt: positions.closedAt,
      })
      .from(positions)
      .where(eq(positions.userId, userId))
      .orderBy(asc(positions.openedAt), asc(positions.id)),
    // The key's first characters only (what the pages show): never the sealed credentials.
    db
      .select({
        id: exchangeConnections.id,
        exchangeId: exchangeConnections.exchangeId,
        label: exchangeConnections.label,
        keyHint: exchangeConnections.keyHint,
        sandbox: exchangeConnections.sandbox,
        status: exchangeConnections.status,
        permissions: exchangeConnections.permissions,
        createdAt: exchangeConnections.createdAt,
      })
      .from(exchangeConnections)
      .where(eq(exchangeConnections.userId, userId))
      .orderBy(asc(exchangeConnections.createdAt)),
    db
      .select({
        id: notificationChannels.id,
        kind: notificationChannels.kind,
        purpose: notificationChannels.purpose,
        label: notificationChannels.label,
        status: notificationChannels.status,
        urlHint: notificationChannels.urlHint,
        telegramChatName: notificationChannels.telegramChatName,
        events: notificationChannels.events,
        createdAt: notificationChannels.createdAt,
      })
      .from(notificationChannels)
      .where(eq(notificationChannels.userId, userId))
      .orderBy(asc(notificationChannels.createdAt)),
    // No session ids: an id is what a stolen cookie carries.
    db
      .select({ userAgent: userSessions.userAgent, ip: userSessions.ip, createdAt: userSessions.createdAt, lastSeenAt: userSessions.lastSeenAt, revokedAt: userSessions.revokedAt })
      .from(userSessions)
      .where(eq(userSessions.userId, userId))
      .orderBy(asc(userSessions.createdAt)),
    db
      .select({ id: recoveryCodes.id })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
    db
      .select({ kind: emailOutbox.kind, subject: emailOutbox.subject, status: emailOutbox.status, createdAt: emailOutbox.createdAt, sentAt: emailOutbox.sentAt })
      .from(emailOutbox)
      .where(eq(emailOutbox.userId, userId))
      .orderBy(asc(emailOutbox.createdAt)),
    db
      .select({ action: auditLog.action, targetType: auditLog.targetType, targetId: auditLog.targetId, data: auditLog.data, ip: auditLog.ip, userAgent: auditLog.userAgent, createdAt: auditLog.createdAt })
      .from(auditLog)
      .where(eq(auditLog.actorId, userId))
      .orderBy(asc(auditLog.createdAt), asc(auditLog.id)),
    ownProvider ? providerPart(ownProvider.id) : Promise.resolve(null),
  ]);

  // The strategy lab: own rule documents, own backtests and optimisations (with every trial), and each strategy run live with its automated provider's record.
  const { userId: _backtestOwner, ...backtestColumns } = getTableColumns(strategyBacktestRuns);
  const { userId: _optimizationOwner, ...optimizationColumns } = getTableColumns(strategyOptimizations);
  const [ownStrategies, backtestRows, runRows, optimizationRows] = await Promise.all([
    db.select({ id: strategies.id, name: strategies.name, version: strategies.version, rules: strategies.rules, createdAt: strategies.createdAt, updatedAt: strategies.updatedAt }).from(strategies).where(eq(strategies.userId, userId)).orderBy(asc(strategies.createdAt)),
    db.select(backtestColumns).from(strategyBacktestRuns).where(eq(strategyBacktestRuns.userId, userId)).orderBy(asc(strategyBacktestRuns.createdAt), asc(strategyBacktestRuns.id)),
    db.select().from(strategyRuns).where(eq(strategyRuns.userId, userId)).orderBy(asc(strategyRuns.createdAt)),
    db.select(optimizationColumns).from(strategyOptimizations).where(eq(strategyOptimizations.userId, userId)).orderBy(asc(strategyOptimizations.createdAt), asc(strategyOptimizations.id)),
  ]);
  const optimizations = await Promise.all(
    optimizationRows.map(async (o) => ({
      ...o,
      trials: await db
        .select()
        .from(strategyOptimizationTrials)
        .where(eq(strategyOptimizationTrials.optimizationId, o.id))
        .orderBy(asc(strategyOptimizationTrials.seq)),
    })),
  );
  const runs = await Promise.all(
    runRows.map(async ({ userId: _owner, stoppedBy: _by, ...run }) => ({
      ...run,
      provider: await providerPart(run.providerId),
      abTests: await db.select().from(strategyAbTests).where(eq(strategyAbTests.runId, run.id)).orderBy(asc(strategyAbTests.createdAt)),
    })),
  );

  return {
    format: EXPORT_FORMAT,
    exportedAt: ctx.now.toISOString(),
    profile: { ...profile, hasPassword: hasPassword !== null, twoFactorRecoveryCodesLeft: recoveryCodesLeft.length },
    onboarding: onboardingRow[0] ?? null,
    notificationPreferences: { account: prefs[0] ?? null, perProvider: alertPrefs },
    subscriptions: subscriptionRows,
    payments: paymentRows,
    provider,
    copying: { followings, paperAccount: paperAccount[0] ?? null, orders: orderRows, positions: positionRows },
    exchangeConnections: connections,
    notificationChannels: channels.map((c) => ({ ...c, urlHint: shownHint(c.kind, c.urlHint) })),
    sessions: sessionRows,
    emails,
    auditLog: audit,
    strategies: ownStrategies,
    strategyBacktests: backtestRows,
    strategyOptimizations: optimizations,
    strategyRuns: runs,
  };
}

export type AccountExport = Awaited<ReturnType<typeof buildAccountExport>>;

/** Builds the export and records that it was taken (who, from where): a download of everything is security-relevant. */
export async function exportAccount(ctx: ActingContext): Promise<AccountExport> {
  const document = await buildAccountExport(ctx);
  await recordAudit(db, { actorId: ctx.actor.id, action: "account.exported", targetType: "user", targetId: ctx.actor.id, ip: ctx.ip, userAgent: ctx.userAgent ?? null });
  return document;
}
