/**
 * A follower's followings: which providers they may copy (entitled subscriptions, their own profile, or the free
 * tier while it has room), each following's settings (stored, or the defaults), turning copying on and off, and the
 * sizing preview. Owners always come from the acting context; every change is audited in its transaction.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, count, desc, eq, inArray, or } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { copyKillSwitches, copySettings, exchangeConnections, paperAccounts, positions, providers, signals, subscriptions, type CopySettingsRow } from "@/server/db/schema";
import { ConflictError, LimitExceededError, NotFoundError, ValidationError } from "@/server/errors";
import { incubatingMessage, isIncubating } from "@/lib/strategy-runs";
import type { ActingContext } from "@/server/services/context";
import { recordAudit } from "@/server/services/audit";
import { accessTo, entitledNow, freeCopyUsage } from "@/server/services/entitlements";
import { listSymbols } from "@/server/services/market-data";
import { getMarketData } from "@/server/integrations/market-data";
import { planCopyOrder } from "@/lib/copy/plan";
import { quantityRules } from "@/lib/copy/market";
import type { PlanDecision } from "@/lib/copy/types";
import { createSymbolResolver } from "@/lib/market-data/symbols";
import { FOLLOW_SETTINGS_DEFAULTS, PAPER_VENUE, resolveSymbolLists, type FollowSettings, type FollowSettingsValues } from "@/lib/validation/copy";
import { FREE_PAPER_COPIES } from "@/lib/billing";
import { catchUpOpenSignals, ensurePaperAccount, modelledSlippageBps } from "./engine";
import { logger } from "@/server/logger";
import { paperEquity } from "./account";

const SETTING_KEYS = Object.keys(FOLLOW_SETTINGS_DEFAULTS) as (keyof FollowSettingsValues)[];

/** The follower-editable settings of a row, or the defaults without one. */
export function settingsOf(row: CopySettingsRow | null | undefined): FollowSettingsValues {
  if (!row) return { ...FOLLOW_SETTINGS_DEFAULTS, symbolsAllow: [], symbolsDeny: [] };
  const d = (v: string) => new Decimal(v).toString();
  return {
    allocationPct: d(row.allocationPct),
    sizingMode: row.sizingMode,
    fixedAmount: d(row.fixedAmount),
    allocationShare: d(row.allocationShare),
    riskPct: d(row.riskPct),
    scale: d(row.scale),
    maxPositionPct: d(row.maxPositionPct),
    maxOpenPositions: row.maxOpenPositions,
    dailyLossPct: row.dailyLossPct === null ? null : d(row.dailyLossPct),
    copyStopPct: row.copyStopPct === null ? null : d(row.copyStopPct),
    maxSlippagePct: d(row.maxSlippagePct),
    maxSignalAgeSec: row.maxSignalAgeSec,
    symbolsAllow: [...row.symbolsAllow],
    symbolsDeny: [...row.symbolsDeny],
    copyOpenSignals: row.copyOpenSignals,
  };
}

/** How the follower may copy a provider: an entitled subscription, their own profile, the free tier, or not at all. */
export type FollowAccess = "subscription" | "owner" | "free" | "none";

export interface FollowingView {
  provider: { id: string; slug: string; displayName: string };
  access: FollowAccess;
  /** New entries allowed by entitlement (subscription or owner); free-tier copies are counted per signal. */
  entitled: boolean;
  subscriptionId: string | null;
  /** A copy_settings row exists (false: the settings shown are the defaults). */
  saved: boolean;
  enabled: boolean;
  /** Where new copies go: "paper", or the id of one of the follower's exchange connections. */
  venue: string;
  /** "kill_switch", "copy_stop", "provider_stopped", "paused" (by the follower), or null. */
  pausedReason: string | null;
  pausedAt: Date | null;
  startedAt: Date | null;
  allocatedAmount: string | null;
  /** An admin switch stopping new entries for this following: the platform's, or this provider's. */
  killSwitch: "platform" | "provider" | null;
  openPositions: number;
  settings: FollowSettingsValues;
  updatedAt: Date | null;
}

export interface FollowingsList {
  followings: FollowingView[];
  freeTier: { used: number; limit: number };
}

async function killSwitchesFor(providerIds: string[], tx: Executor = db): Promise<{ platform: boolean; providers: Set<string> }> {
  const rows = await tx
    .select({ scope: copyKillSwitches.scope, targetId: copyKillSwitches.targetId })
    .from(copyKillSwitches)
    .where(or(eq(copyKillSwitches.scope, "platform"), providerIds.length ? and(eq(copyKillSwitches.scope, "provider"), inArray(copyKillSwitches.targetId, providerIds)) : undefined));
  return { platform: rows.some((r) => r.scope === "platform"), providers: new Set(rows.filter((r) => r.scope === "provider").map((r) => r.targetId)) };
}

/**
 * The user's followings: each provider they have a live (entitled) subscription to, plus each provider they have
 * settings for (the free tier, or a subscription that lapsed: its open copies still get their exits), with settings
 * or defaults. Their own provider profile is listed only once they saved settings for it.
 */
export async function listFollowings(userId: string, now: Date = new Date()): Promise<FollowingsList> {
  const [subs, rows, freeTier] = await Promise.all([
    db
      .select({ id: subscriptions.id, providerId: subscriptions.providerId })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, userId), entitledNow(now)))
      .orderBy(desc(subscriptions.createdAt)),
    db.select().from(copySettings).where(eq(copySettings.userId, userId)),
    freeCopyUsage(userId),
  ]);
  const ids = [...new Set([...subs.map((s) => s.providerId), ...rows.map((r) => r.providerId)])];
  if (!ids.length) return { followings: [], freeTier };
  const [provs, switches, open] = await Promise.all([
    db.select({ id: providers.id, slug: providers.slug, displayName: providers.displayName, userId: providers.userId }).from(providers).where(inArray(providers.id, ids)),
    killSwitchesFor(ids),
    db
      .select({ providerId: positions.providerId, n: count() })
      .from(positions)
      .where(and(eq(positions.userId, userId), eq(positions.status, "open")))
      .groupBy(positions.providerId),
  ]);
  const openBy = new Map(open.map((o) => [o.providerId, o.n]));
  const subBy = new Map<string, string>();
  for (const s of subs) if (!subBy.has(s.providerId)) subBy.set(s.providerId, s.id);
  const rowBy = new Map(rows.map((r) => [r.providerId, r]));
  const followings = provs.map((p): FollowingView => {
    const row = rowBy.get(p.id);
    const access: FollowAccess = p.userId === userId ? "owner" : subBy.has(p.id) ? "subscription" : freeTier.used < freeTier.limit ? "free" : "none";
    return viewOf(p, row, access, subBy.get(p.id) ?? null, switches, openBy.get(p.id) ?? 0);
  });
  // Live ones first, then by name: what a follower acts on is at the top.
  followings.sort((a, b) => Number(b.enabled) - Number(a.enabled) || a.provider.displayName.localeCompare(b.provider.displayName));
  return { followings, freeTier };
}

function viewOf(
  p: { id: string; slug: string; displayName: string },
  row: CopySettingsRow | undefined,
  access: FollowAccess,
  subscriptionId: string | null,
  switches: { platform: boolean; providers: Set<string> },
  openPositions: number,
): FollowingView {
  return {
    provider: { id: p.id, slug: p.slug, displayName: p.displayName },
    access,
    entitled: access === "subscription" || access === "owner",
    subscriptionId,
    saved: Boolean(row),
    enabled: row?.enabled ?? false,
    venue: row?.venue ?? PAPER_VENUE,
    pausedReason: row?.pausedReason ?? null,
    pausedAt: row?.pausedAt ?? null,
    startedAt: row?.startedAt ?? null,
    allocatedAmount: row?.allocatedAmount ?? null,
    killSwitch: switches.platform ? "platform" : switches.providers.has(p.id) ? "provider" : null,
    openPositions,
    settings: settingsOf(row),
    updatedAt: row?.updatedAt ?? null,
  };
}

/** One following as `listFollowings` shows it, for any existing provider (defaults when not yet saved). */
export async function getFollowSettings(userId: string, providerId: string, now: Date = new Date(), tx: Executor = db): Promise<FollowingView> {
  const p = await tx.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { id: true, slug: true, displayName: true, userId: true } });
  if (!p) throw new NotFoundError("No such provider");
  const [row, sub, switches, open, freeTier] = await Promise.all([
    tx.query.copySettings.findFirst({ where: and(eq(copySettings.userId, userId), eq(copySettings.providerId, providerId)) }),
    tx
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.subscriberId, userId), eq(subscriptions.providerId, providerId), entitledNow(now)))
      .orderBy(desc(subscriptions.createdAt))
      .limit(1),
    killSwitchesFor([providerId], tx),
    tx.select({ n: count() }).from(positions).where(and(eq(positions.userId, userId), eq(positions.providerId, providerId), eq(positions.status, "open"))),
    freeCopyUsage(userId, tx),
  ]);
  const access: FollowAccess = p.userId === userId ? "owner" : sub[0] ? "subscription" : freeTier.used < freeTier.limit ? "free" : "none";
  return viewOf(p, row, access, sub[0]?.id ?? null, switches, open[0]?.n ?? 0);
}

/**
 * May the actor set up copying of this provider? Entitled subscribers and the provider itself may; anyone else only
 * while the free tier has room (its copies are counted per signal by `claimPaperCopy` when they happen).
 */
async function requireFollowable(ctx: ActingContext, providerId: string): Promise<{ subscriptionId: string | null }> {
  const p = await db.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { id: true, displayName: true, userId: true, listedFrom: true } });
  if (!p) throw new NotFoundError("No such provider");
  // An automated strategy still incubating takes no followers either (its owner may still try its copies).
  if (p.userId !== ctx.actor.id && isIncubating(p, ctx.now)) throw new ConflictError(incubatingMessage(p.displayName, p.listedFrom!));
  const access = await accessTo(ctx.actor, providerId);
  if (access === "public") {
    const { used, limit } = await freeCopyUsage(ctx.actor.id);
    if (used >= limit) {
      throw new LimitExceededError(
        `Free accounts can copy ${FREE_PAPER_COPIES} signals on paper and you have used all ${FREE_PAPER_COPIES}. Subscribe to ${p.displayName} to copy their signals.`,
      );
    }
    return { subscriptionId: null };
  }
  const [sub] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.subscriberId, ctx.actor.id), eq(subscriptions.providerId, providerId), entitledNow(ctx.now)))
    .orderBy(desc(subscriptions.createdAt))
    .limit(1);
  return { subscriptionId: sub?.id ?? null };
}

/** The allow/deny lists against the market's symbols; an unknown one is refused by name, nothing written. */
async function resolveLists(settings: FollowSettings): Promise<FollowSettings> {
  if (!settings.symbolsAllow.length && !settings.symbolsDeny.length) return settings;
  const { symbols } = await listSymbols();
  const resolver = createSymbolResolver(symbols);
  const r = resolveSymbolLists(settings, (s) => resolver(s)?.symbol ?? null);
  const first = Object.values(r.fieldErrors)[0];
  if (first) throw new ValidationError(first, Object.fromEntries(Object.entries(r.fieldErrors).map(([k, v]) => [k, [v]])));
  return { ...settings, symbolsAllow: r.symbolsAllow, symbolsDeny: r.symbolsDeny };
}

/**
 * A following's venue: the paper account, or one of the actor's active exchange connections. The venue the following
 * already has is kept as it is (a connection whose key has since been refused must not block saving other settings;
 * its orders are rejected with the reason until the follower picks another venue). Anything else is refused by the
 * same message, whether the connection is missing, someone else's, removed or not active: nothing is written.
 */
async function checkVenue(ctx: ActingContext, venue: string, current: string | undefined, tx: Executor): Promise<void> {
  if (venue === PAPER_VENUE || venue === current) return;
  const [connection] = await tx
    .select({ id: exchangeConnections.id })
    .from(exchangeConnections)
    // INVARIANT: only the actor's own, active connections can receive their copies.
    .where(and(eq(exchangeConnections.id, venue), eq(exchangeConnections.userId, ctx.actor.id), eq(exchangeConnections.status, "active")));
  if (!connection) {
    const message = "Copy to your paper account or to one of your active exchange connections: that connection is not one of them";
    throw new ValidationError(message, { venue: [message] });
  }
}

/**
 * Creates or replaces the actor's settings for a provider (copying stays as it was; a new following starts off).
 * `venue`, when given, moves new copies there (open copies keep the venue they were opened on for their exits).
 */
export async function saveFollowSettings(ctx: ActingContext, providerId: string, input: FollowSettings): Promise<FollowingView> {
  const { subscriptionId } = await requireFollowable(ctx, providerId);
  const { venue, ...settings } = await resolveLists(input);
  return db.transaction(async (tx) => {
    // INVARIANT: the owner is the actor.
    const before = await tx.query.copySettings.findFirst({ where: and(eq(copySettings.userId, ctx.actor.id), eq(copySettings.providerId, providerId)) });
    if (venue !== undefined) await checkVenue(ctx, venue, before?.venue, tx);
    const venueSet = venue !== undefined ? { venue } : {};
    // A new allocation % while copying sets aside equity × the new share now: the sizes and the copy stop-loss's base
    // follow it from the next signal (without this the amount frozen when copying began would stand).
    const reallocated =
      before?.enabled && !new Decimal(before.allocationPct).eq(settings.allocationPct)
        ? { allocatedAmount: new Decimal((await paperEquity(ctx.actor.id, tx)).equity).times(settings.allocationPct).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed() }
        : {};
    const [row] = await tx
      .insert(copySettings)
      .values({ userId: ctx.actor.id, providerId, subscriptionId, ...settings, ...venueSet, updatedAt: ctx.now })
      .onConflictDoUpdate({ target: [copySettings.userId, copySettings.providerId], set: { subscriptionId, ...settings, ...venueSet, ...reallocated, updatedAt: ctx.now } })
      .returning();
    const old = settingsOf(before);
    const changed = Object.fromEntries(
      SETTING_KEYS.filter((k) => JSON.stringify(old[k]) !== JSON.stringify(settings[k])).map((k) => [k, { from: before ? old[k] : null, to: settings[k] }]),
    );
    const oldVenue = before?.venue ?? PAPER_VENUE;
    if (venue !== undefined && venue !== oldVenue) changed.venue = { from: before ? oldVenue : null, to: venue };
    await recordAudit(tx, { actorId: ctx.actor.id, action: "copy.settings.update", targetType: "copy_settings", targetId: row!.id, data: { providerId, created: !before, changed, ...reallocated }, ip: ctx.ip, userAgent: ctx.userAgent });
    return getFollowSettings(ctx.actor.id, providerId, ctx.now, tx);
  });
}

/**
 * Turns copying of a provider on or off. On: (re)starts the following now, sets aside equity × allocation (the copy
 * stop-loss's base) and clears any pause. Off: no new entries; open copies keep following their signals' exits.
 */
export async function setCopying(ctx: ActingContext, providerId: string, enabled: boolean): Promise<FollowingView> {
  if (!enabled) {
    return db.transaction(async (tx) => {
      const [row] = await tx
        .update(copySettings)
        .set({ enabled: false, updatedAt: ctx.now })
        .where(and(eq(copySettings.userId, ctx.actor.id), eq(copySettings.providerId, providerId)))
        .returning({ id: copySettings.id });
      if (!row) throw new NotFoundError("You are not copying this provider");
      await recordAudit(tx, { actorId: ctx.actor.id, action: "copy.following.disable", targetType: "copy_settings", targetId: row.id, data: { providerId }, ip: ctx.ip, userAgent: ctx.userAgent });
      return getFollowSettings(ctx.actor.id, providerId, ctx.now, tx);
    });
  }
  const { subscriptionId } = await requireFollowable(ctx, providerId);
  const turnedOn = await db.transaction(async (tx) => {
    await ensurePaperAccount(ctx.actor.id, tx);
    const { equity } = await paperEquity(ctx.actor.id, tx);
    const existing = await tx.query.copySettings.findFirst({ where: and(eq(copySettings.userId, ctx.actor.id), eq(copySettings.providerId, providerId)) });
    const allocationPct = existing?.allocationPct ?? FOLLOW_SETTINGS_DEFAULTS.allocationPct;
    const allocatedAmount = new Decimal(equity).times(allocationPct).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed();
    const on = { enabled: true, subscriptionId, startedAt: ctx.now, allocatedAmount, pausedReason: null, pausedAt: null, updatedAt: ctx.now };
    const [row] = await tx
      .insert(copySettings)
      .values({ userId: ctx.actor.id, providerId, venue: "paper", ...on })
      .onConflictDoUpdate({ target: [copySettings.userId, copySettings.providerId], set: on })
      .returning({ id: copySettings.id });
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "copy.following.enable",
      targetType: "copy_settings",
      targetId: row!.id,
      data: { providerId, equity, allocationPct: new Decimal(allocationPct).toString(), allocatedAmount, resumedFrom: existing?.pausedReason ?? null },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return row!.id;
  });
  // After the commit: the signals already open, when the follower asked for them (a failure leaves copying on).
  await catchUpOpenSignals(turnedOn).catch((err: unknown) => logger.error({ err, providerId }, "copy: could not enter the signals already open"));
  return getFollowSettings(ctx.actor.id, providerId, ctx.now);
}

/** The provider's latest open (or pending) signal as a preview's default, for entitled viewers only. */
export async function latestLiveSignal(providerId: string, tx: Executor = db) {
  const [s] = await tx
    .select({ id: signals.id, symbol: signals.symbol, side: signals.side, entryType: signals.entryType, entryPrice: signals.entryPrice, stopLoss: signals.stopLoss, publishedAt: signals.publishedAt, status: signals.status })
    .from(signals)
    .where(and(eq(signals.providerId, providerId), inArray(signals.status, ["open", "pending"])))
    .orderBy(desc(signals.publishedAt))
    .limit(1);
  return s ?? null;
}

export interface SizingPreview {
  /** Where the previewed signal came from: the caller's input, the provider's latest live signal, or nothing to show. */
  source: "input" | "latest_signal" | "none";
  signal: { symbol: string; side: "long" | "short"; entryPrice: string; stopLoss: string | null } | null;
  /** Market price and modelled slippage the preview used. */
  market: { price: string; slippageBps: string } | null;
  equity: string;
  decision: PlanDecision | null;
  /** "This signal would open 0.0123 BTC ≈ $812.35, risking $40.12", or the skip's reason, or what is missing. */
  summary: string;
}

const USD_LIKE = new Set(["USD", "USDT", "USDC", "BUSD", "FDUSD"]);
const money = (amount: string, quote: string) => {
  const v = new Decimal(amount).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber().toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return USD_LIKE.has(quote) ? `$${v}` : `${v} ${quote}`;
};

/**
 * What a signal would open for this follower under the given (or saved) settings, by the planner the fan-out uses:
 * a hypothetical signal published now (symbol, side, entry, stop from the input; entry defaults to the market
 * price), or without a symbol the provider's latest live signal — only for a viewer entitled to see its levels.
 * Switches and entitlement are left out on purpose (the followings list shows them): this answers "how big".
 */
export async function previewSizing(
  ctx: ActingContext,
  input: { providerId: string; settings?: FollowSettings; symbol?: string; side?: "long" | "short"; entryPrice?: string; stopLoss?: string },
): Promise<SizingPreview> {
  const userId = ctx.actor.id;
  const following = await getFollowSettings(userId, input.providerId, ctx.now);
  const settings = input.settings ? await resolveLists(input.settings) : following.settings;
  const { equity } = await paperEquity(userId);
  let signal: SizingPreview["signal"] = null;
  let source: SizingPreview["source"] = "none";
  if (input.symbol && input.side) {
    signal = { symbol: input.symbol, side: input.side, entryPrice: input.entryPrice ?? "", stopLoss: input.stopLoss ?? null };
    source = "input";
  } else if ((await accessTo(ctx.actor, input.providerId)) !== "public") {
    const latest = await latestLiveSignal(input.providerId);
    if (latest) {
      signal = { symbol: latest.symbol, side: latest.side, entryPrice: latest.entryPrice, stopLoss: latest.stopLoss };
      source = "latest_signal";
    }
  }
  if (!signal) return { source, signal: null, market: null, equity, decision: null, summary: "Choose a symbol and side to see what a signal would open." };

  const market = getMarketData();
  const info = await market.getSymbol(signal.symbol);
  if (!info) throw new ValidationError(`"${signal.symbol}" is not a symbol we have prices for`, { symbol: [`"${signal.symbol}" is not a symbol we have prices for`] });
  const { price } = await market.lastPrice(info.symbol);
  const entryPrice = signal.entryPrice || price;
  signal = { ...signal, symbol: info.symbol, entryPrice };
  const rules = quantityRules({ market: info.market, price });
  const slippageBps = await modelledSlippageBps(info.symbol);
  const now = ctx.now.getTime();
  const account = await db.query.paperAccounts.findFirst({ where: eq(paperAccounts.userId, userId), columns: { day: true, dayStartEquity: true } });
  const today = ctx.now.toISOString().slice(0, 10);
  const decision = planCopyOrder(
    { id: "preview", symbol: info.symbol, side: signal.side, entryType: "market", entryPrice, stopLoss: signal.stopLoss, publishedAt: now, status: "open" },
    { kind: "entry", seq: 0, at: now },
    {
      ...settings,
      enabled: true,
      pausedReason: null,
      allocatedAmount: following.enabled ? following.allocatedAmount : null,
      startedAt: null,
    },
    {
      equity,
      dayStartEquity: account?.day === today && account.dayStartEquity ? account.dayStartEquity : equity,
      openPositions: following.openPositions,
      providerPnl: "0",
      entitled: true,
      killSwitch: null,
      position: null,
    },
    { price, slippageBps, quantityStep: rules.quantityStep, minQuantity: rules.minQuantity, minNotional: rules.minNotional, now },
  );
  const summary =
    decision.action === "order"
      ? `This signal would open ${decision.quantity} ${info.base} ≈ ${money(decision.notional, info.quote)}${decision.riskAmount === null ? ", with no stop-loss to bound the risk" : `, risking ${money(decision.riskAmount, info.quote)}`}`
      : decision.detail;
  return { source, signal, market: { price, slippageBps }, equity, decision, summary };
}
