/**
 * The copy engine: works through a signal's fan-out rows (written with its events, see signals/fanout-row.ts) in
 * the order of the provider's chain, a page of followers at a time: load what each follower's rules need in one
 * query, plan each copy with the pure planner (src/lib/copy), fill on the venue, persist the page in one statement.
 *
 * Guarantees, whatever the retries, duplicate events, re-drives or crashes:
 * - one copy order per (signal event, follower, leg): the deterministic client order id is unique, and positions
 *   and balances change only with an order newly inserted;
 * - a follower's legs apply in the chain's order: a fan-out waits while an earlier one of the same signal is pending,
 *   and a position records the last event applied to it;
 * - entries stop at once under a kill switch, a pause or a lapsed subscription; exits always run.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, asc, eq, gt, inArray, lte, sql, type SQL } from "drizzle-orm";
import { RetryAfterError } from "inngest";
import { env } from "@/env";
import { db, type Executor } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { copyFanouts, copyOrders, copySettings, paperAccounts, positions, signalEvents, signals, type CopyFanoutRow, type PaperAccountRow } from "@/server/db/schema";
import { entitledNow } from "@/server/services/entitlements";
import { getMarketData } from "@/server/integrations/market-data";
import { sendEvent, sendEvents, type JobEvents } from "@/server/jobs/events";
import { logger } from "@/server/logger";
import { FREE_PAPER_COPIES } from "@/lib/billing";
import { feeOf, realisedPnl, slippageBpsOf } from "@/lib/copy/fills";
import { quantityRules } from "@/lib/copy/market";
import { planCopyOrder } from "@/lib/copy/plan";
import { DEFAULT_SLIPPAGE_BPS, slippageBpsFromCandles } from "@/lib/copy/slippage";
import type { CopyLeg, PlanAccount, PlanDecision, PlanLeg, PlanMarket, PlanSettings, PlanSignal } from "@/lib/copy/types";
import { newId } from "@/lib/ids";
import { clientOrderId, notifyFollowers, persistOrders, type OrderRecord } from "./paper";
import { noteFailedAttempt, RETRYING_PREFIX } from "./alerts";
import { isBatchVenue, serialVenue, type VenueOrderResult } from "./venues";

/** Followers per page: one load query, one planning pass, one write. */
export const FANOUT_PAGE = 2_000;
const DAY_MS = 86_400_000;

export interface EngineOptions {
  /** The clock (tests and the demo back-fill pass their own). */
  now?: () => Date;
  pageSize?: number;
  /** The market price of a symbol now (default: the market-data adapter's last price). */
  price?: (symbol: string) => Promise<string>;
  /** The modelled slippage of a symbol in bps (default: env PAPER_SLIPPAGE_BPS, else from recorded candles). */
  slippageBps?: (symbol: string) => Promise<string>;
  /**
   * Plan entries on the signal as it was at its publication rather than as it is now (the demo's back-fill of events
   * long past: a signal closed since must still be entered at its publication, then exited by its later events).
   */
  historical?: boolean;
  /** Plan an entry page for this one following only (the catch-up of signals already open). */
  onlySetting?: string;
  /** Test hook: runs after the venue decided the fills and before they are persisted (a crash there loses nothing). */
  afterVenue?: (orders: readonly OrderRecord[]) => void | Promise<void>;
}

const g = globalThis as unknown as { __tradsyCopyEngine?: EngineOptions };

/**
 * Options every engine call starts from (the job's calls pass none): tests install a clock, prices, slippage or the
 * fault hook here; `configureCopyEngine({})` puts the defaults back.
 */
export function configureCopyEngine(options: EngineOptions): void {
  g.__tradsyCopyEngine = options;
}
const withDefaults = (opts: EngineOptions): EngineOptions => ({ ...(g.__tradsyCopyEngine ?? {}), ...opts });

// ---------------------------------------------------------------------------------------------------------------
// Market inputs

const slippageCache = new Map<string, { bps: string; at: number }>();

/** A symbol's modelled slippage: PAPER_SLIPPAGE_BPS if set, else derived from its last 30 days of hourly candles. */
export async function modelledSlippageBps(symbol: string): Promise<string> {
  if (env.PAPER_SLIPPAGE_BPS) return env.PAPER_SLIPPAGE_BPS;
  const cached = slippageCache.get(symbol);
  if (cached && Date.now() - cached.at < 3_600_000) return cached.bps;
  let bps = DEFAULT_SLIPPAGE_BPS;
  try {
    const until = Date.now();
    const candles = await getMarketData().candles(symbol, "1h", until - 30 * DAY_MS, until);
    if (candles.length) bps = slippageBpsFromCandles(candles);
  } catch (err) {
    logger.debug({ err, symbol }, "copy: no candles for the slippage model; using the default");
  }
  slippageCache.set(symbol, { bps, at: Date.now() });
  return bps;
}

async function marketPrice(symbol: string): Promise<string> {
  return (await getMarketData().lastPrice(symbol)).price;
}

async function marketKind(symbol: string): Promise<"crypto" | "forex" | "stocks"> {
  return (await getMarketData().getSymbol(symbol))?.market ?? "crypto";
}

// ---------------------------------------------------------------------------------------------------------------
// Paper accounts

/** The user's paper account, created with the starting balance on first use. */
export async function ensurePaperAccount(userId: string, tx: Executor = db): Promise<PaperAccountRow> {
  await tx.insert(paperAccounts).values({ userId }).onConflictDoNothing({ target: paperAccounts.userId });
  const [row] = await tx.select().from(paperAccounts).where(eq(paperAccounts.userId, userId));
  return row!;
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);
/** A text[] parameter's literal (ids are ours, but quoted properly anyway). */
const pgArray = (xs: readonly string[]) => `{${xs.map((x) => `"${x.replace(/(["\\])/g, "\\$1")}"`).join(",")}}`;

/**
 * The attempts a re-driven fan-out's live orders start with. A first attempt skips the venue lookup, which is right
 * for a fan-out run once: nothing can have been placed under a new order's client order id. A re-driven one (by the
 * sweeper, or released after a restore) may have placed these very orders from a database that was lost since (the
 * backup was taken before), under the same deterministic client order ids; its orders therefore start with one
 * attempt counted, so their first placement looks the id up on the venue instead of placing a second order.
 */
const REDRIVEN_ATTEMPTS = 1;
/** The attempts count a fan-out's new live orders start with (see REDRIVEN_ATTEMPTS). */
const startingAttempts = (fanout: CopyFanoutRow) => (fanout.redrives > 0 ? REDRIVEN_ATTEMPTS : 0);

// ---------------------------------------------------------------------------------------------------------------
// Fan-out

interface FollowerRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  subscription_id: string | null;
  venue: string;
  /**
   * What the follower's plan reads of its settings, as one JSON text (see SETTINGS_JSON): the key two followers who
   * plan alike share, parsed only for the first of them in a page.
   */
  settings: string;
  equity: string;
  day_start_equity: string | null;
  open_positions: number | string;
  provider_pnl: string;
  entitled: boolean;
  free_tier: boolean;
  has_position: boolean;
}

/** The settings columns the planner reads, as one JSON array in the order settingsOf takes them apart. */
const SETTINGS_JSON = sql`json_build_array(c.paused_reason, c.allocation_pct::text, c.allocated_amount::text, c.sizing_mode,
  c.fixed_amount::text, c.allocation_share::text, c.risk_pct::text, c.scale::text, c.max_position_pct::text, c.max_open_positions,
  c.daily_loss_pct::text, c.copy_stop_pct::text, c.max_slippage_pct::text, c.max_signal_age_sec, c.symbols_allow, c.symbols_deny,
  c.copy_open_signals, floor(extract(epoch from c.started_at) * 1000)::bigint)::text`;

type SettingsJson = [
  string | null, string, string | null, PlanSettings["sizingMode"], string, string, string, string, string, number, string | null,
  string | null, string, number, string[] | null, string[] | null, boolean, number | null,
];

function settingsOf(r: FollowerRow): PlanSettings {
  const [pausedReason, allocationPct, allocatedAmount, sizingMode, fixedAmount, allocationShare, riskPct, scale, maxPositionPct, maxOpenPositions, dailyLossPct, copyStopPct, maxSlippagePct, maxSignalAgeSec, symbolsAllow, symbolsDeny, copyOpenSignals, startedAt] =
    JSON.parse(r.settings) as SettingsJson;
  return {
    enabled: true,
    pausedReason,
    allocationPct,
    allocatedAmount,
    sizingMode,
    fixedAmount,
    allocationShare,
    riskPct,
    scale,
    maxPositionPct,
    maxOpenPositions,
    dailyLossPct,
    copyStopPct,
    maxSlippagePct,
    maxSignalAgeSec,
    symbolsAllow: symbolsAllow ?? [],
    symbolsDeny: symbolsDeny ?? [],
    copyOpenSignals,
    startedAt,
  };
}

/**
 * Everything a follower's plan depends on, as loaded: two followers with the same key get the same decision (the
 * settings as their JSON text, the account as the load computed it).
 */
function followerKey(r: FollowerRow, entitled: boolean): string {
  return `${r.settings}\u0001${r.equity}\u0001${r.day_start_equity ?? "\u0002"}\u0001${r.open_positions}\u0001${r.provider_pnl}\u0001${entitled}`;
}

const plain = (v: unknown) => new Decimal(String(v ?? "0")).toFixed();

/** The provider's kill switch or the platform's, if one is on. */
async function killSwitchFor(tx: Executor, providerId: string): Promise<"platform" | "provider" | null> {
  const rows = await executeRows<{ scope: string }>(
    tx,
    sql`select scope from copy_kill_switches where scope = 'platform' or (scope = 'provider' and target_id = ${providerId}) order by scope`,
  );
  return rows.some((r) => r.scope === "platform") ? "platform" : rows.length ? "provider" : null;
}

/** The signal as the planner sees it: its current state (a late entry after the close is skipped). */
async function planSignal(tx: Executor, signalId: string): Promise<(PlanSignal & { providerId: string; fillPrice: string | null }) | null> {
  const [s] = await tx.select().from(signals).where(eq(signals.id, signalId));
  if (!s) return null;
  return {
    id: s.id,
    providerId: s.providerId,
    symbol: s.symbol,
    side: s.side,
    entryType: s.entryType,
    entryPrice: s.entryPrice,
    stopLoss: s.stopLoss,
    publishedAt: s.publishedAt.getTime(),
    status: s.status,
    fillPrice: s.fillPrice,
  };
}

/** One page of a `published` fan-out: every copy-enabled follower of the provider after `cursor`, planned and filled. */
async function entryPage(fanout: CopyFanoutRow, { from: cursor, until }: PageRange, opts: EngineOptions): Promise<PageResult> {
  const now = (opts.now ?? (() => new Date()))();
  const size = opts.pageSize ?? FANOUT_PAGE;
  return db.transaction(async (tx) => {
    const current = await planSignal(tx, fanout.signalId);
    if (!current) return { next: null, followers: 0, orders: 0 };
    const signal = opts.historical
      ? { ...current, status: current.entryType === "limit" ? ("pending" as const) : ("open" as const), stopLoss: String((fanout.data as { stopLoss?: string | null }).stopLoss ?? current.stopLoss ?? "") || null }
      : current;
    // The page: the provider's copy-enabled followers after the cursor (copy_settings_provider_id_enabled_id_idx).
    const rows = await executeRows<FollowerRow>(
      tx,
      sql`select c.id, c.user_id, c.subscription_id, c.venue, ${SETTINGS_JSON} as settings,
          coalesce(a.balance, 10000) + coalesce(op.pnl, 0) as equity,
          -- Today's starting equity: recorded by the day's first change, else what the equity is now (no change yet today).
          case when a.day = ${utcDay(now)} then a.day_start_equity else coalesce(a.balance, 10000) + coalesce(op.pnl, 0) end as day_start_equity,
          coalesce(op.mine, 0) as open_positions,
          coalesce(pp.pnl, 0) as provider_pnl,
          (c.user_id = pr.user_id or exists (
            select 1 from subscriptions where subscriptions.subscriber_id = c.user_id and subscriptions.provider_id = c.provider_id and ${entitledNow(now)}
          )) as entitled,
          -- The free tier's paper copies count only for followings without a subscription.
          case when c.subscription_id is null then (select count(*) from free_paper_copies as f where f.user_id = c.user_id) < ${FREE_PAPER_COPIES}
            or exists (select 1 from free_paper_copies as f where f.user_id = c.user_id and f.signal_id = ${fanout.signalId}) else false end as free_tier,
          exists (select 1 from positions as h where h.user_id = c.user_id and h.signal_id = ${fanout.signalId}) as has_position
        from copy_settings as c
        join providers as pr on pr.id = c.provider_id
        left join paper_accounts as a on a.user_id = c.user_id
        left join lateral (
          select sum(case when p.side = 'long' then (p.mark_price - p.avg_entry) * p.quantity else (p.avg_entry - p.mark_price) * p.quantity end) as pnl,
            count(*) filter (where p.copy_setting_id = c.id) as mine
          from positions as p where p.user_id = c.user_id and p.status = 'open' and p.venue = 'paper'
        ) as op on true
        left join lateral (
          select sum(p.realized_pnl - p.fees + case when p.status = 'open' then
              (case when p.side = 'long' then (p.mark_price - p.avg_entry) * p.quantity else (p.avg_entry - p.mark_price) * p.quantity end) else 0 end) as pnl
          from positions as p where p.copy_setting_id = c.id and p.opened_at >= coalesce(c.started_at, c.created_at)
        ) as pp on true
        where c.provider_id = ${fanout.providerId} and c.enabled and c.id > ${cursor}${until == null ? sql`` : sql` and c.id <= ${until}`}${opts.onlySetting ? sql` and c.id = ${opts.onlySetting}` : sql``}
        order by c.id
        limit ${size}
        -- INVARIANT: a follower's pause or kill switch (an UPDATE of these rows) waits for this page to commit, so its
        -- close-all sees the copies this page opens; and this page never plans on settings changed under it.
        for share of c`,
    );
    if (!rows.length) return { next: null, followers: 0, orders: 0 };
    const kill = await killSwitchFor(tx, fanout.providerId);
    const price = signal.entryType === "limit" && signal.status === "pending" ? signal.entryPrice : await (opts.price ?? marketPrice)(signal.symbol);
    const bps = await (opts.slippageBps ?? modelledSlippageBps)(signal.symbol);
    const rules = quantityRules({ market: await marketKind(signal.symbol), price });
    const market: PlanMarket = { price, slippageBps: bps, ...rules, now: now.getTime() };
    const leg: PlanLeg = { kind: "entry", seq: fanout.seq, at: new Date(fanout.at).getTime() };
    const orders: OrderRecord[] = [];
    const freeClaims: { userId: string }[] = [];
    // Followers with the same settings and account figures get the same decision: planned once per page (the key is
    // the raw figures, so no decimal is parsed for a follower whose twin was already planned).
    const decisions = new Map<string, { decision: PlanDecision; dayStartEquity: string }>();
    const templates = new Map<PlanDecision, EntryTemplate>();
    const batchTemplates = new Map<PlanDecision, EntryTemplate>();
    for (const r of rows) {
      if (r.has_position) continue;
      const entitled = Boolean(r.entitled) || (r.subscription_id == null && Boolean(r.free_tier));
      const key = followerKey(r, entitled);
      let planned = decisions.get(key);
      if (!planned) {
        const account: PlanAccount = {
          equity: plain(r.equity),
          dayStartEquity: plain(r.day_start_equity ?? r.equity),
          openPositions: Number(r.open_positions),
          providerPnl: plain(r.provider_pnl),
          entitled,
          killSwitch: kill,
          position: null,
        };
        planned = { decision: planCopyOrder(signal, leg, settingsOf(r), account, market), dayStartEquity: account.dayStartEquity };
        decisions.set(key, planned);
      }
      const { decision } = planned;
      // INVARIANT: a follower not entitled to this provider's open signals gets no row: a skipped order carries the
      // signal's symbol, side and price, which their journal would show while the signal is live.
      if (decision.action === "skip" && decision.reason === "not_entitled") continue;
      const batch = isBatchVenue(r.venue);
      const byDecision = batch ? batchTemplates : templates;
      let template = byDecision.get(decision);
      if (!template) byDecision.set(decision, (template = entryTemplate(fanout, signal, decision, batch, now)));
      orders.push(entryRecord(template, fanout, r, planned.dayStartEquity));
      if (decision.action === "order" && !r.entitled) freeClaims.push({ userId: r.user_id });
    }
    if (opts.afterVenue) await opts.afterVenue(orders);
    const inserted = await persistOrders(tx, orders, now);
    const attempts = startingAttempts(fanout);
    const lookFirst = attempts ? orders.filter((o) => o.status === "planned" && !isBatchVenue(o.venue) && inserted.has(o.clientOrderId)) : [];
    if (lookFirst.length) {
      await executeRows(
        tx,
        sql`update copy_orders set attempts = greatest(attempts, ${attempts}) where status = 'planned' and id in (select unnest(${pgArray(lookFirst.map((o) => o.id))}::text[]))`,
      );
    }
    if (freeClaims.length) {
      await executeRows(
        tx,
        sql`insert into free_paper_copies (user_id, signal_id) select u, ${fanout.signalId} from unnest(${pgArray(freeClaims.map((c) => c.userId))}::text[]) as u on conflict do nothing`,
      );
    }
    const last = rows[rows.length - 1]!.id;
    const connections = [...new Set(orders.filter((o) => o.status === "planned" && inserted.has(o.clientOrderId)).map((o) => o.venue))];
    return { next: rows.length < size || last === until ? null : last, followers: rows.length, orders: inserted.size, settled: settledOf(orders, inserted), connections };
  });
}

/** What every follower given one decision shares: the order but for its ids, follower and venue. */
type EntryTemplate = Omit<OrderRecord, "id" | "clientOrderId" | "userId" | "copySettingId" | "venue" | "positionId" | "dayStartEquity">;

/**
 * The entry order of a decision: skipped (with the reason), a resting limit, planned for a serial venue (placed one
 * at a time by the connection's run, ./venues.ts, which records the fill and the position), or filled on paper now.
 */
function entryTemplate(fanout: CopyFanoutRow, signal: PlanSignal & { providerId: string }, d: PlanDecision, batchVenue: boolean, now: Date): EntryTemplate {
  const base = {
    providerId: signal.providerId,
    signalId: signal.id,
    signalEventId: fanout.signalEventId,
    seq: fanout.seq,
    symbol: signal.symbol,
    side: signal.side === "long" ? ("buy" as const) : ("sell" as const),
    leg: "entry" as CopyLeg,
    venueOrderId: null,
    limitPrice: null,
    fillPrice: null,
    fee: "0",
    slippageBps: null,
    latencyMs: null,
    filledAt: null,
    position: null,
    balanceDelta: "0",
  };
  if (d.action === "skip") {
    return { ...base, orderType: "market", status: "skipped", reason: `${d.reason}: ${d.detail}`, requestedPrice: signal.entryPrice, quantity: "0" };
  }
  if (d.orderType === "limit") {
    return { ...base, orderType: "limit", status: "submitted", reason: null, requestedPrice: d.requestedPrice, limitPrice: d.limitPrice ?? d.requestedPrice, quantity: d.quantity };
  }
  if (!batchVenue) return { ...base, side: d.side, orderType: "market", status: "planned", reason: null, requestedPrice: d.requestedPrice, quantity: d.quantity };
  const fill = d.expectedPrice;
  const fee = feeOf(d.quantity, fill);
  return {
    ...base,
    side: d.side,
    orderType: "market",
    status: "filled",
    reason: null,
    requestedPrice: d.requestedPrice,
    fillPrice: fill,
    quantity: d.quantity,
    fee,
    slippageBps: slippageBpsOf(d.side, d.requestedPrice, fill),
    latencyMs: Math.max(0, now.getTime() - new Date(fanout.at).getTime()),
    filledAt: now.toISOString(),
    position: { op: "open", side: signal.side, quantity: d.quantity, avgEntry: fill, stopLoss: signal.stopLoss, fees: fee, openedAt: now.toISOString() },
    balanceDelta: new Decimal(fee).neg().toFixed(),
  };
}

/** One follower's entry order from its decision's template (a filled paper entry opens a position of its own). */
function entryRecord(t: EntryTemplate, fanout: CopyFanoutRow, r: FollowerRow, dayStartEquity: string): OrderRecord {
  // Every field written out (no spread): one object shape for every record, built at the page's rate.
  return {
    id: newId("cpo"),
    clientOrderId: clientOrderId({ eventId: fanout.signalEventId, userId: r.user_id, leg: "entry" }),
    userId: r.user_id,
    copySettingId: r.id,
    providerId: t.providerId,
    signalId: t.signalId,
    signalEventId: t.signalEventId,
    seq: t.seq,
    venue: r.venue,
    symbol: t.symbol,
    side: t.side,
    leg: t.leg,
    orderType: t.orderType,
    status: t.status,
    reason: t.reason,
    requestedPrice: t.requestedPrice,
    limitPrice: t.limitPrice,
    fillPrice: t.fillPrice,
    quantity: t.quantity,
    fee: t.fee,
    slippageBps: t.slippageBps,
    latencyMs: t.latencyMs,
    venueOrderId: t.venueOrderId,
    filledAt: t.filledAt,
    positionId: t.position ? newId("pos") : null,
    position: t.position,
    balanceDelta: t.balanceDelta,
    dayStartEquity,
  };
}

interface OpenPositionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  copy_setting_id: string | null;
  provider_id: string;
  signal_id: string | null;
  venue: string;
  symbol: string;
  side: "long" | "short";
  quantity: string;
  initial_quantity: string;
  avg_entry: string;
  avg_exit: string | null;
  realized_pnl: string;
  fees: string;
}

/** The exit an event asks for: which leg, the price it was recorded at, and the share of the original size. */
function exitOf(fanout: CopyFanoutRow): { leg: Exclude<CopyLeg, "entry">; price: string; share: string | "all" } | null {
  const data = fanout.data as { price?: string; share?: string; reason?: string };
  if (fanout.kind !== "partial_close" && fanout.kind !== "closed") return null;
  const leg: Exclude<CopyLeg, "entry"> = data.reason === "stop" ? "stop" : data.reason === "target" ? "tp" : "close";
  return { leg, price: String(data.price), share: fanout.kind === "closed" ? "all" : String(data.share) };
}

/**
 * A closing order for a locked open position: planned (exits are never refused), filled at `price` with slippage,
 * and the position's next state. Shared by the signal's exits and the follower's manual closes.
 */
function exitRecord(
  p: OpenPositionRow,
  leg: PlanLeg & { kind: "exit" },
  market: PlanMarket,
  ids: { clientOrderId: string; signalEventId: string | null; seq: number | null; requestedAt: number },
  now: Date,
): OrderRecord | null {
  const account: PlanAccount = {
    equity: "0",
    dayStartEquity: "0",
    openPositions: 0,
    providerPnl: "0",
    entitled: true,
    killSwitch: null,
    position: { quantity: plain(p.quantity), initialQuantity: plain(p.initial_quantity), side: p.side },
  };
  const signal: PlanSignal = { id: "", symbol: p.symbol, side: p.side, entryType: "market", entryPrice: plain(p.avg_entry), stopLoss: null, publishedAt: 0, status: "open" };
  const d = planCopyOrder(signal, leg, EXIT_SETTINGS, account, market);
  if (d.action !== "order") return null;
  const fill = d.expectedPrice;
  const fee = feeOf(d.quantity, fill);
  const pnl = realisedPnl(p.side, plain(p.avg_entry), fill, d.quantity);
  const remaining = new Decimal(plain(p.quantity)).minus(d.quantity);
  const closedQty = new Decimal(plain(p.initial_quantity)).minus(plain(p.quantity));
  const avgExit = p.avg_exit == null || closedQty.isZero()
    ? fill
    : closedQty.mul(plain(p.avg_exit)).plus(new Decimal(d.quantity).mul(fill)).div(closedQty.plus(d.quantity)).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed();
  return {
    id: newId("cpo"),
    clientOrderId: ids.clientOrderId,
    userId: p.user_id,
    copySettingId: p.copy_setting_id,
    providerId: p.provider_id,
    signalId: p.signal_id,
    signalEventId: ids.signalEventId,
    seq: ids.seq,
    venue: p.venue,
    symbol: p.symbol,
    side: d.side,
    leg: d.leg,
    orderType: "market",
    status: "filled",
    reason: null,
    requestedPrice: d.requestedPrice,
    limitPrice: null,
    fillPrice: fill,
    quantity: d.quantity,
    fee,
    slippageBps: slippageBpsOf(d.side, d.requestedPrice, fill),
    latencyMs: Math.max(0, now.getTime() - ids.requestedAt),
    venueOrderId: null,
    filledAt: now.toISOString(),
    positionId: p.id,
    position: {
      op: "update",
      quantity: remaining.toFixed(),
      avgExit,
      realizedPnl: new Decimal(plain(p.realized_pnl)).plus(pnl).toFixed(),
      fees: new Decimal(plain(p.fees)).plus(fee).toFixed(),
      status: remaining.isZero() ? "closed" : "open",
      closedAt: remaining.isZero() ? now.toISOString() : null,
    },
    balanceDelta: new Decimal(pnl).minus(fee).toFixed(),
  };
}

/** Settings for exits: the planner never refuses an exit, so only the shape matters. */
const EXIT_SETTINGS: PlanSettings = {
  enabled: true,
  pausedReason: null,
  allocationPct: "0.1",
  allocatedAmount: null,
  sizingMode: "allocation",
  fixedAmount: "0",
  allocationShare: "0",
  riskPct: "0",
  scale: "1",
  maxPositionPct: "1",
  maxOpenPositions: 0,
  dailyLossPct: null,
  copyStopPct: null,
  maxSlippagePct: "0",
  maxSignalAgeSec: 0,
  symbolsAllow: [],
  symbolsDeny: [],
  copyOpenSignals: false,
  startedAt: null,
};

/** One page of an exit fan-out (partial close, close): the open copies of the signal not yet past this event. */
async function exitPage(fanout: CopyFanoutRow, { from: cursor, until }: PageRange, opts: EngineOptions): Promise<PageResult> {
  const now = (opts.now ?? (() => new Date()))();
  const size = opts.pageSize ?? FANOUT_PAGE;
  const exit = exitOf(fanout)!;
  return db.transaction(async (tx) => {
    // INVARIANT: the positions are locked, so a follower's manual close cannot interleave with this exit.
    const serial = cursor === "" ? await planSerialExits(tx, fanout, exit) : { planned: 0, connections: [] };
    const rows = await executeRows<OpenPositionRow>(
      tx,
      sql`select * from positions where signal_id = ${fanout.signalId} and status = 'open' and venue = 'paper' and last_seq < ${fanout.seq} and id > ${cursor}${until == null ? sql`` : sql` and id <= ${until}`}
          order by id limit ${size} for update`,
    );
    if (!rows.length) return { next: null, followers: serial.planned, orders: serial.planned, connections: serial.connections };
    const symbol = rows[0]!.symbol;
    const bps = await (opts.slippageBps ?? modelledSlippageBps)(symbol);
    const rules = quantityRules({ market: await marketKind(symbol), price: exit.price });
    const market: PlanMarket = { price: exit.price, slippageBps: bps, ...rules, now: now.getTime() };
    const leg: PlanLeg = { kind: "exit", leg: exit.leg, seq: fanout.seq, at: new Date(fanout.at).getTime(), price: exit.price, share: exit.share };
    const orders: OrderRecord[] = [];
    for (const p of rows) {
      const o = exitRecord(p, leg, market, {
        clientOrderId: clientOrderId({ eventId: fanout.signalEventId, userId: p.user_id, leg: exit.leg }),
        signalEventId: fanout.signalEventId,
        seq: fanout.seq,
        requestedAt: new Date(fanout.at).getTime(),
      }, now);
      if (o) orders.push(o);
    }
    if (opts.afterVenue) await opts.afterVenue(orders);
    const inserted = await persistOrders(tx, orders, now);
    return {
      next: rows.length < size || rows[rows.length - 1]!.id === until ? null : rows[rows.length - 1]!.id,
      followers: rows.length + serial.planned,
      orders: inserted.size + serial.planned,
      touched: orders.map((o) => o.copySettingId).filter((x): x is string => !!x),
      settled: settledOf(orders, inserted),
      connections: serial.connections,
    };
  });
}

/** `filled` of a limit signal: the resting entry orders fill at the limit (no slippage), and their positions open. */
async function limitFillPage(fanout: CopyFanoutRow, { from: cursor, until }: PageRange, opts: EngineOptions): Promise<PageResult> {
  const now = (opts.now ?? (() => new Date()))();
  const size = opts.pageSize ?? FANOUT_PAGE;
  return db.transaction(async (tx) => {
    const signal = await planSignal(tx, fanout.signalId);
    const resting = await tx
      .select()
      .from(copyOrders)
      .where(and(eq(copyOrders.signalId, fanout.signalId), eq(copyOrders.status, "submitted"), eq(copyOrders.leg, "entry"), gt(copyOrders.id, cursor), until == null ? undefined : lte(copyOrders.id, until)))
      .orderBy(asc(copyOrders.id))
      .limit(size)
      .for("update");
    if (!resting.length || !signal) return { next: null, followers: 0, orders: 0 };
    const fillPrice = String((fanout.data as { price?: string }).price ?? signal.fillPrice ?? signal.entryPrice);
    // A resting entry is still an entry: it fills only while its follower may enter (copying on and not paused, no
    // kill switch, still entitled); otherwise it is cancelled now, with the reason.
    const kill = await killSwitchFor(tx, fanout.providerId);
    const standing = await executeRows<{ id: string; active: boolean; entitled: boolean }>(
      tx,
      sql`select o.id, coalesce(c.enabled and c.paused_reason is null, false) as active,
            (o.user_id = pr.user_id or c.subscription_id is null or exists (
              select 1 from subscriptions where subscriptions.subscriber_id = o.user_id and subscriptions.provider_id = o.provider_id and ${entitledNow(now)}
            )) as entitled
          from copy_orders as o
          join providers as pr on pr.id = o.provider_id
          left join copy_settings as c on c.id = o.copy_setting_id
          where o.id in (select unnest(${pgArray(resting.map((o) => o.id))}::text[]))`,
    );
    const refusal = new Map<string, string>();
    for (const r of standing) {
      if (kill) refusal.set(r.id, `kill_switch: copying is stopped ${kill === "platform" ? "on the platform" : "for this provider"}, so the resting entry was cancelled`);
      else if (!r.active) refusal.set(r.id, "paused: copying this provider was turned off or paused before the limit filled");
      else if (!r.entitled) refusal.set(r.id, "not_entitled: the subscription lapsed before the limit filled");
    }
    let n = 0;
    const connections = new Set<string>();
    for (const o of resting) {
      const refused = refusal.get(o.id);
      if (refused) {
        await tx
          .update(copyOrders)
          .set({ status: "cancelled", reason: refused })
          .where(and(eq(copyOrders.id, o.id), eq(copyOrders.status, "submitted")));
        continue;
      }
      if (!isBatchVenue(o.venue)) {
        // The signal filled: the follower's exchange gets a market order now, through the connection's run.
        const moved = await tx
          .update(copyOrders)
          .set({ status: "planned", orderType: "market", limitPrice: null, attempts: sql`greatest(${copyOrders.attempts}, ${startingAttempts(fanout)})` })
          .where(and(eq(copyOrders.id, o.id), eq(copyOrders.status, "submitted")))
          .returning({ id: copyOrders.id });
        if (moved.length) connections.add(o.venue);
        continue;
      }
      const fee = feeOf(o.quantity, fillPrice);
      const positionId = newId("pos");
      const updated = await tx
        .update(copyOrders)
        .set({
          status: "filled",
          fillPrice,
          fee,
          slippageBps: slippageBpsOf(o.side, o.requestedPrice ?? fillPrice, fillPrice),
          latencyMs: Math.max(0, now.getTime() - new Date(fanout.at).getTime()),
          filledAt: now,
          positionId,
        })
        .where(and(eq(copyOrders.id, o.id), eq(copyOrders.status, "submitted")))
        .returning({ id: copyOrders.id });
      if (!updated.length) continue;
      n++;
      await tx
        .insert(positions)
        .values({
          id: positionId,
          userId: o.userId,
          copySettingId: o.copySettingId,
          providerId: o.providerId,
          signalId: o.signalId,
          venue: o.venue,
          symbol: o.symbol,
          side: o.side === "buy" ? "long" : "short",
          quantity: o.quantity,
          initialQuantity: o.quantity,
          avgEntry: fillPrice,
          fees: fee,
          markPrice: fillPrice,
          stopLoss: signal.stopLoss,
          lastSeq: fanout.seq,
          openedAt: now,
        })
        .onConflictDoNothing();
      await tx.update(paperAccounts).set({ balance: sql`${paperAccounts.balance} - ${fee}::numeric` }).where(eq(paperAccounts.userId, o.userId));
    }
    await notifyFollowers(tx, resting.map((o) => o.userId));
    const last = resting[resting.length - 1]!.id;
    return { next: resting.length < size || last === until ? null : last, followers: resting.length, orders: n, connections: [...connections] };
  });
}

/** `cancelled`/`expired`: resting entry orders are cancelled; `stop_moved`: open copies take the new stop. One statement each. */
async function bookkeepingPage(fanout: CopyFanoutRow): Promise<PageResult> {
  return db.transaction(async (tx) => {
    let touched: { user_id: string }[] = [];
    if (fanout.kind === "cancelled" || fanout.kind === "expired") {
      touched = await executeRows(
        tx,
        sql`update copy_orders set status = 'cancelled', reason = ${`signal_${fanout.kind}: the provider's limit entry was ${fanout.kind} before it filled`}
            where signal_id = ${fanout.signalId} and status = 'submitted' returning user_id`,
      );
    } else if (fanout.kind === "stop_moved") {
      const stop = (fanout.data as { stopLoss?: string }).stopLoss ?? null;
      touched = await executeRows(
        tx,
        sql`update positions set stop_loss = ${stop}::numeric, updated_at = now() where signal_id = ${fanout.signalId} and status = 'open' and last_seq < ${fanout.seq} returning user_id`,
      );
    }
    await notifyFollowers(tx, touched.map((r) => r.user_id));
    return { next: null, followers: touched.length, orders: 0 };
  });
}

/** The orders a page newly wrote, by outcome, for the notification event. */
function settledOf(orders: readonly OrderRecord[], inserted: ReadonlySet<string>): JobEvents["copy/orders.settled"] {
  const fresh = orders.filter((o) => inserted.has(o.clientOrderId));
  const ids = (status: OrderRecord["status"]) => fresh.filter((o) => o.status === status).map((o) => o.id);
  return { userIds: [...new Set(fresh.map((o) => o.userId))], filled: ids("filled"), skipped: ids("skipped"), rejected: ids("rejected") };
}

/** Sends a job event for notifications after a commit; a lost send is logged (the orders are written). */
async function announce<K extends "copy/orders.settled" | "copy/risk.paused">(name: K, data: JobEvents[K]): Promise<void> {
  try {
    await sendEvent(name, data);
  } catch (err) {
    logger.error({ err, name }, "copy: could not send the notification event");
  }
}

/** The ids a page may visit: after `from`, up to and including `until` (null: no end). */
export interface PageRange {
  from: string;
  until: string | null;
}

interface PageResult {
  settled?: JobEvents["copy/orders.settled"];
  /** Connections (serial venues) with orders newly planned: each gets its run. */
  connections?: string[];
  next: string | null;
  followers: number;
  orders: number;
  /** Followings whose copies changed (the copy stop-loss is checked for them). */
  touched?: string[];
}

/** The fan-out rows of a signal still pending, in chain order. */
export async function pendingFanouts(signalId: string): Promise<CopyFanoutRow[]> {
  return db.select().from(copyFanouts).where(and(eq(copyFanouts.signalId, signalId), eq(copyFanouts.status, "pending"))).orderBy(asc(copyFanouts.seq));
}

/**
 * One page of one fan-out (a job step). Waits (retry later) while an earlier fan-out of the same signal is pending,
 * so a follower's legs apply in the chain's order whatever order the job runs in.
 */
export async function runFanoutPage(fanoutId: string, cursor: string | PageRange, options: EngineOptions = {}): Promise<PageResult> {
  const range: PageRange = typeof cursor === "string" ? { from: cursor, until: null } : cursor;
  const opts = withDefaults(options);
  const [fanout] = await db.select().from(copyFanouts).where(eq(copyFanouts.id, fanoutId));
  if (!fanout || fanout.status === "done") return { next: null, followers: 0, orders: 0 };
  const earlier = await db
    .select({ id: copyFanouts.id })
    .from(copyFanouts)
    .where(and(eq(copyFanouts.signalId, fanout.signalId), eq(copyFanouts.status, "pending"), sql`${copyFanouts.seq} < ${fanout.seq}`))
    .limit(1);
  if (earlier.length) throw new RetryAfterError(`an earlier event of signal ${fanout.signalId} is still being copied`, "2s");
  let result: PageResult;
  switch (fanout.kind) {
    case "published":
      result = await entryPage(fanout, range, opts);
      break;
    case "filled":
      result = await limitFillPage(fanout, range, opts);
      break;
    case "partial_close":
    case "closed":
      result = await exitPage(fanout, range, opts);
      break;
    default:
      result = await bookkeepingPage(fanout);
  }
  await requestConnectionRuns(result.connections ?? []);
  if (result.settled && result.settled.userIds.length) await announce("copy/orders.settled", result.settled);
  if (fanout.kind === "partial_close" || fanout.kind === "closed") {
    // Every following holding a copy of this signal, not only those this page wrote: a retried page that finds its
    // exits written must still run the check it may have missed.
    const holders = await db.selectDistinct({ id: positions.copySettingId }).from(positions).where(eq(positions.signalId, fanout.signalId));
    const ids = holders.map((h) => h.id).filter((x): x is string => !!x);
    if (ids.length) await checkCopyStops(ids, opts);
  }
  return result;
}

/** Marks a fan-out done with its totals. */
export async function finishFanout(fanoutId: string, totals: { followers: number; orders: number }, now = new Date()): Promise<void> {
  await db
    .update(copyFanouts)
    .set({ status: "done", finishedAt: now, followers: totals.followers, orders: totals.orders })
    .where(and(eq(copyFanouts.id, fanoutId), eq(copyFanouts.status, "pending")));
}

/**
 * A fan-out's lanes: its rows (followers, resting entries or open copies, by the kind) split by id into ranges of
 * about equal size, at most one page each unless rows arrive meanwhile, so the pages of a large fan-out can run at
 * the same time (every range is disjoint, and within one provider a follower has one row: the pages touch disjoint
 * accounts). The first lane starts at "" and the last has no end, so rows written after the split are still
 * visited. One lane for kinds written in one statement, and for fan-outs of up to a page.
 */
export async function fanoutLanes(fanoutId: string, options: EngineOptions = {}): Promise<PageRange[]> {
  const opts = withDefaults(options);
  const size = opts.pageSize ?? FANOUT_PAGE;
  const parallel = FANOUT_PARALLEL;
  const [fanout] = await db.select().from(copyFanouts).where(eq(copyFanouts.id, fanoutId));
  const whole: PageRange[] = [{ from: "", until: null }];
  if (!fanout || fanout.status === "done" || opts.onlySetting) return whole;
  let ids: SQL;
  switch (fanout.kind) {
    case "published":
      ids = sql`select id from copy_settings where provider_id = ${fanout.providerId} and enabled`;
      break;
    case "filled":
      ids = sql`select id from copy_orders where signal_id = ${fanout.signalId} and status = 'submitted' and leg = 'entry'`;
      break;
    case "partial_close":
    case "closed":
      ids = sql`select id from positions where signal_id = ${fanout.signalId} and status = 'open' and venue = 'paper' and last_seq < ${fanout.seq}`;
      break;
    default:
      return whole;
  }
  // Every k-th id (k: the count over the pages it needs, rounded up) ends a lane; the last lane is open-ended.
  const bounds = await executeRows<{ id: string }>(
    db,
    sql`with r as (${ids}), n as (select count(*) as total from r),
        -- lanes: the pages needed, rounded up to a multiple of the lanes run at once (no worker idles on the last wave)
        l as (select ceil(ceil(total::numeric / ${size}) / ${parallel}) * ${parallel} as lanes, total from n where total > ${size}),
        k as (select ceil(total / lanes)::bigint as k, total from l)
        select id from (select id, row_number() over (order by id) as rn from r) as t, k where rn % k.k = 0 and rn < k.total order by id`,
  );
  const ends = bounds.map((b) => b.id);
  if (!ends.length) return whole;
  return [...ends, null].map((until, i) => ({ from: i === 0 ? "" : ends[i - 1]!, until }));
}

/**
 * How many of a fan-out's lanes run at once, each holding a pooled connection for its page's transaction (PGlite's
 * one connection runs them in turn). Measured on the bench's 2 cores: 1 → 1.4 s, 2 → 0.75 s, 3 → 0.73 s, 4 → 0.87 s
 * for 10,000 followers; more lanes than the database has cores only add contention.
 */
export const FANOUT_PARALLEL = 3;

/** One lane's pages, in order; `page` runs one (the job wraps it in a step). */
export async function runLane(
  lane: PageRange,
  page: (range: PageRange, index: number) => Promise<{ next: string | null; followers: number; orders: number }>,
): Promise<{ followers: number; orders: number }> {
  const totals = { followers: 0, orders: 0 };
  let from = lane.from;
  for (let index = 0; ; index++) {
    const r = await page({ from, until: lane.until }, index);
    totals.followers += r.followers;
    totals.orders += r.orders;
    if (!r.next) return totals;
    from = r.next;
  }
}

/** Runs `lanes` with at most `parallel` at once (worker i takes lanes i, i + parallel, …: the same split every replay). */
export async function runLanes(
  lanes: readonly PageRange[],
  parallel: number,
  lane: (range: PageRange, index: number) => Promise<{ followers: number; orders: number }>,
): Promise<{ followers: number; orders: number }> {
  const workers = Array.from({ length: Math.min(parallel, lanes.length) }, async (_, w) => {
    const totals = { followers: 0, orders: 0 };
    for (let i = w; i < lanes.length; i += parallel) {
      const t = await lane(lanes[i]!, i);
      totals.followers += t.followers;
      totals.orders += t.orders;
    }
    return totals;
  });
  const all = await Promise.all(workers);
  return { followers: all.reduce((s, t) => s + t.followers, 0), orders: all.reduce((s, t) => s + t.orders, 0) };
}

/** A whole fan-out, its lanes in parallel (the bench, the demo back-fill and tests; the job runs pages as steps). */
export async function runFanout(fanoutId: string, opts: EngineOptions = {}): Promise<{ followers: number; orders: number }> {
  const lanes = await fanoutLanes(fanoutId, opts);
  const totals = await runLanes(lanes, FANOUT_PARALLEL, (lane) => runLane(lane, (range) => runFanoutPage(fanoutId, range, opts)));
  await finishFanout(fanoutId, totals, (withDefaults(opts).now ?? (() => new Date()))());
  return totals;
}

/** Every pending fan-out of a signal, in chain order. */
export async function runSignalFanouts(signalId: string, opts: EngineOptions = {}): Promise<number> {
  const pending = await pendingFanouts(signalId);
  for (const f of pending) await runFanout(f.id, opts);
  return pending.length;
}

/**
 * The sweeper: fan-outs still pending `olderThanMs` after they were written get a new job event, with a fresh event
 * id (`redrives` is counted up first), so the 24-hour event-id dedupe never swallows a re-drive.
 */
export async function claimStaleFanouts(olderThanMs = 10_000, limit = 500): Promise<{ signalId: string; providerId: string; redrives: number }[]> {
  const rows = await executeRows<{ signal_id: string; provider_id: string; redrives: number }>(
    db,
    sql`update copy_fanouts set redrives = redrives + 1
        where id in (select id from copy_fanouts where status = 'pending' and created_at < now() - make_interval(secs => ${olderThanMs / 1000})
                     order by created_at limit ${limit})
        returning signal_id, provider_id, redrives`,
  );
  const bySignal = new Map<string, { signalId: string; providerId: string; redrives: number }>();
  for (const r of rows) {
    const prev = bySignal.get(r.signal_id);
    if (!prev || r.redrives > prev.redrives) bySignal.set(r.signal_id, { signalId: r.signal_id, providerId: r.provider_id, redrives: Number(r.redrives) });
  }
  return [...bySignal.values()];
}

// ---------------------------------------------------------------------------------------------------------------
// The copy stop-loss

/**
 * After exits: a following with a copy stop-loss whose equity from this provider fell to the floor is paused, and
 * its remaining copies are closed now.
 */
export async function checkCopyStops(copySettingIds: readonly string[], opts: EngineOptions = {}): Promise<string[]> {
  if (!copySettingIds.length) return [];
  const hit = await executeRows<{ id: string; user_id: string; provider_id: string }>(
    db,
    sql`update copy_settings as c set paused_reason = 'copy_stop', paused_at = now(), updated_at = now()
        from (
          select c2.id, coalesce(c2.allocated_amount, 0) as allocated, coalesce(sum(p.realized_pnl - p.fees + case when p.status = 'open' then
              (case when p.side = 'long' then (p.mark_price - p.avg_entry) * p.quantity else (p.avg_entry - p.mark_price) * p.quantity end) else 0 end), 0) as pnl
          from copy_settings as c2
          left join positions as p on p.copy_setting_id = c2.id and p.opened_at >= coalesce(c2.started_at, c2.created_at)
          where c2.id in (select unnest(${pgArray([...new Set(copySettingIds)])}::text[])) and c2.copy_stop_pct is not null and c2.paused_reason is null
            and c2.allocated_amount is not null
          group by c2.id
        ) as m
        where c.id = m.id and m.allocated + m.pnl <= m.allocated * c.copy_stop_pct
        returning c.id, c.user_id, c.provider_id`,
  );
  for (const h of hit) await announce("copy/risk.paused", { userId: h.user_id, providerId: h.provider_id, reason: "copy_stop_loss" });
  // Close the copies of every following the copy stop paused that still holds some: those just paused, and any whose
  // close an earlier attempt did not finish (a crash or a failed price between the pause and the close).
  const toClose = await executeRows<{ user_id: string; provider_id: string }>(
    db,
    sql`select distinct c.user_id, c.provider_id from copy_settings as c
        join positions as p on p.copy_setting_id = c.id and p.status = 'open'
        where c.id in (select unnest(${pgArray([...new Set(copySettingIds)])}::text[])) and c.paused_reason = 'copy_stop'`,
  );
  for (const h of toClose) {
    await closePositionsNow({ userId: h.user_id, providerId: h.provider_id, reason: "copy_stop", ...(opts.now ? { now: opts.now() } : {}) }, opts);
  }
  return hit.map((h) => h.id);
}

// ---------------------------------------------------------------------------------------------------------------
// Venues that place one order at a time (./venues.ts)

/**
 * An exit on a serial venue is planned now and sized when the connection's run places it (its entry may still be
 * queued ahead of it): one `planned` row per follower holding, or about to hold, a copy of the signal there.
 */
async function planSerialExits(
  tx: Executor,
  fanout: CopyFanoutRow,
  exit: { leg: Exclude<CopyLeg, "entry">; price: string; share: string | "all" },
): Promise<{ planned: number; connections: string[] }> {
  const holders = await executeRows<{ user_id: string; copy_setting_id: string | null; provider_id: string; venue: string; symbol: string; side: "long" | "short" }>(
    tx,
    sql`select distinct user_id, copy_setting_id, provider_id, venue, symbol, side from (
          select user_id, copy_setting_id, provider_id, venue, symbol, side from positions
          where signal_id = ${fanout.signalId} and status = 'open' and venue <> 'paper' and last_seq < ${fanout.seq}
          union all
          select user_id, copy_setting_id, provider_id, venue, symbol, case when side = 'buy' then 'long' else 'short' end from copy_orders
          where signal_id = ${fanout.signalId} and leg = 'entry' and status in ('planned', 'submitted') and venue <> 'paper'
        ) as h`,
  );
  if (!holders.length) return { planned: 0, connections: [] };
  const rows = holders.map((h) => ({
    id: newId("cpo"),
    client_order_id: clientOrderId({ eventId: fanout.signalEventId, userId: h.user_id, leg: exit.leg }),
    user_id: h.user_id,
    copy_setting_id: h.copy_setting_id,
    provider_id: h.provider_id,
    venue: h.venue,
    symbol: h.symbol,
    side: h.side === "long" ? "sell" : "buy",
    share: exit.share === "all" ? null : exit.share,
  }));
  const inserted = await executeRows<{ venue: string }>(
    tx,
    sql`insert into copy_orders (id, client_order_id, user_id, copy_setting_id, provider_id, signal_id, signal_event_id, seq, venue, symbol, side, leg,
          order_type, status, requested_price, quantity, share, attempts)
        select x.id, x.client_order_id, x.user_id, x.copy_setting_id, x.provider_id, ${fanout.signalId}, ${fanout.signalEventId}, ${fanout.seq}, x.venue,
          x.symbol, x.side::order_side, ${exit.leg}::copy_leg, 'market', 'planned', ${exit.price}::numeric, 0, x.share,
          ${startingAttempts(fanout)}::int
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id text, client_order_id text, user_id text, copy_setting_id text, provider_id text,
          venue text, symbol text, side text, share numeric)
        on conflict (client_order_id) do nothing
        returning venue`,
  );
  return { planned: inserted.length, connections: [...new Set(inserted.map((r) => r.venue))] };
}

/** Asks for the connection's run (after the commit that planned its orders); the sweeper re-sends if this is lost. */
export async function requestConnectionRun(connectionId: string, redrive = 0): Promise<void> {
  try {
    await sendEvent("copy/connection.requested", { connectionId, redrive }, redrive ? { id: `copy-connection:${connectionId}:${redrive}:${Date.now()}` } : {});
  } catch (err) {
    logger.error({ err, connectionId }, "copy: could not request the connection's run; the sweeper will");
  }
}

/** Asks for the runs of many connections at once (a fan-out's page): one dispatch, so the runs start together. */
export async function requestConnectionRuns(connectionIds: readonly string[]): Promise<void> {
  if (connectionIds.length === 0) return;
  try {
    await sendEvents(
      "copy/connection.requested",
      connectionIds.map((connectionId) => ({ data: { connectionId, redrive: 0 } })),
    );
  } catch (err) {
    logger.error({ err, connections: connectionIds.length }, "copy: could not request the connections' runs; the sweeper will");
  }
}

/** A connection's planned orders, oldest first (the order their signal events were copied in). */
export async function plannedOrders(connectionId: string): Promise<string[]> {
  const rows = await db
    .select({ id: copyOrders.id })
    .from(copyOrders)
    .where(and(eq(copyOrders.venue, connectionId), eq(copyOrders.status, "planned")))
    .orderBy(asc(copyOrders.createdAt), asc(copyOrders.seq), asc(copyOrders.id))
    .limit(500);
  return rows.map((r) => r.id);
}

/** A planned order's reason while its venue holds it back (a closed market). */
const WAITING_PREFIX = "waiting: ";
/** When a venue says "later" with a time already past, the next try. */
const WAIT_RETRY_MS = 30_000;

/** The client order id of the part of an exit a venue left unfilled: "<id>:r1", then "<id>:r2"... */
function remainderId(clientOrderId: string): string {
  const m = /^(.*):r(\d+)$/.exec(clientOrderId);
  return m ? `${m[1]}:r${Number(m[2]) + 1}` : `${clientOrderId}:r1`;
}

/**
 * Places one planned order on its connection and records the result. The client order id is looked up on the venue
 * first, so a retry after a crash between placing and recording records the order already placed instead of placing
 * a second. An exit is sized here, from the position as it stands.
 *
 * What is recorded is what the venue filled: a market order can fill in part (the book ran out, the order expired).
 * An entry then holds what filled and no more is bought (the signal's moment has passed); an exit plans the rest as
 * a new order of the same leg, because an exit must always complete. An error from the venue (an answer it could
 * not read, a lookup that failed) goes up unrecorded: the job's step retries, and the retry looks the id up first.
 */
export async function placePlanned(orderId: string, options: EngineOptions = {}): Promise<{ status: string; until?: Date }> {
  const opts = withDefaults(options);
  const now = (opts.now ?? (() => new Date()))();
  // Counting the attempt is how a retry knows to look the client order id up first (the first attempt cannot have
  // placed anything, so it skips the lookup: one exchange round trip per order instead of two).
  const [order] = await db
    .update(copyOrders)
    .set({ attempts: sql`${copyOrders.attempts} + 1` })
    .where(and(eq(copyOrders.id, orderId), eq(copyOrders.status, "planned")))
    .returning();
  if (!order) {
    const [row] = await db.select({ status: copyOrders.status }).from(copyOrders).where(eq(copyOrders.id, orderId));
    return { status: row?.status ?? "missing" };
  }
  const finish = async (patch: Partial<typeof copyOrders.$inferInsert>) => {
    await db.update(copyOrders).set(patch).where(and(eq(copyOrders.id, orderId), eq(copyOrders.status, "planned")));
    return { status: patch.status ?? "planned" };
  };
  let quantity = order.quantity;
  let position: typeof positions.$inferSelect | undefined;
  if (order.leg !== "entry") {
    [position] = await db
      .select()
      .from(positions)
      .where(and(eq(positions.userId, order.userId), eq(positions.signalId, order.signalId!), eq(positions.venue, order.venue), eq(positions.status, "open")));
    if (!position) return finish({ status: "cancelled", reason: "no_position: no open copy to close on this connection" });
    // An exit's remainder was sized when the part before it filled (a planned exit is sized here).
    if (order.remainderOf) quantity = Decimal.min(order.quantity, position.quantity).toFixed();
    else {
      const decision = await sizeExit(order, position, now);
      if (decision.action !== "order") return finish({ status: "cancelled", reason: `${decision.reason}: ${decision.detail}` });
      quantity = decision.quantity;
    }
  }
  const venue = await serialVenue(order.venue);
  if (!venue) return finish({ status: "rejected", reason: "connection_unavailable: this exchange connection is not available (removed, or its integration is not installed)" });
  const referencePrice = order.requestedPrice ?? position?.markPrice;
  let result: VenueOrderResult;
  let looked: VenueOrderResult | null = null;
  try {
    looked = order.attempts > 1 ? await venue.findOrder(order.clientOrderId, order.symbol) : null;
    result =
      looked ??
      (await venue.placeOrder({ clientOrderId: order.clientOrderId, symbol: order.symbol, side: order.side, quantity, leg: order.leg, ...(referencePrice ? { referencePrice } : {}) }));
  } catch (err) {
    // Unrecorded but for the words: the step's retry looks the id up first. An exit failing for long alerts.
    await noteFailedAttempt(db, order, err instanceof Error ? err.message : String(err));
    throw err;
  }
  if (opts.afterVenue) await opts.afterVenue([]);
  if (result.status === "waiting") {
    // A time already past (a venue's clock behind ours, an open not yet announced) is retried a little later.
    const until = result.until.getTime() > now.getTime() ? result.until : new Date(now.getTime() + WAIT_RETRY_MS);
    // One run sleeps per wait: a run that finds the order already waiting for the same time leaves it to that one.
    const reason = `${WAITING_PREFIX}until ${until.toISOString()}: ${result.reason}`;
    // Nothing was sent: the attempt is given back (a wait is not a failure: the failing-exit alert counts failures).
    // An order the lookup found (placed, not final) keeps its count, so the next attempt looks it up again.
    const giveBack = looked ? {} : { attempts: Math.max(order.attempts - 1, 0) };
    if (order.reason === reason) {
      await finish(giveBack);
      return { status: "waiting" };
    }
    await finish({ reason, ...giveBack });
    return { status: "waiting", until };
  }
  return recordVenueResult(order, quantity, result, position);
}

/**
 * Records what the venue answered for a planned order (placePlanned's second half): a rejection with its reason, or
 * the fill as the venue reports it, opening the entry's position or reducing the exit's (a short exit plans its
 * remainder). Reconciliation records through here a fill the exchange made that our ledger missed, exactly as the
 * placement would have. `requestedQty` is what was asked of the venue; an exit's open position is loaded when not
 * given. Only a row still `planned` is written, so a second recording of the same order changes nothing.
 */
export async function recordVenueResult(
  order: typeof copyOrders.$inferSelect,
  requestedQty: string,
  result: Exclude<VenueOrderResult, { status: "waiting" }>,
  openPosition?: typeof positions.$inferSelect,
): Promise<{ status: string }> {
  const orderId = order.id;
  const finish = async (patch: Partial<typeof copyOrders.$inferInsert>) => {
    await db.update(copyOrders).set(patch).where(and(eq(copyOrders.id, orderId), eq(copyOrders.status, "planned")));
    return { status: patch.status ?? "planned" };
  };
  let position = openPosition;
  if (!position && order.leg !== "entry" && order.signalId) {
    [position] = await db
      .select()
      .from(positions)
      .where(and(eq(positions.userId, order.userId), eq(positions.signalId, order.signalId), eq(positions.venue, order.venue), eq(positions.status, "open")));
  }
  if (result.status === "rejected") return finish({ status: "rejected", reason: result.reason, venueOrderId: result.venueOrderId, quantity: requestedQty });
  const quantity = result.quantity ?? requestedQty;
  const short = new Decimal(quantity).lt(requestedQty);
  const partialNote = `partial_fill: ${plain(quantity)} of ${plain(requestedQty)}`;
  // What an earlier attempt noted while the order was pending (retrying, waiting) does not outlive it.
  const kept = order.reason && !order.reason.startsWith(RETRYING_PREFIX) && !order.reason.startsWith(WAITING_PREFIX) ? order.reason : null;
  const recorded = await db.transaction(async (tx) => {
    const requested = order.requestedPrice ?? result.fillPrice;
    const entryPositionId = order.leg === "entry" ? newId("pos") : null;
    const filledAt = result.filledAt.toISOString();
    const [moved] = await tx
      .update(copyOrders)
      .set({
        status: "filled",
        quantity,
        reason: short ? (kept ? `${kept}; ${partialNote}` : partialNote) : kept,
        fillPrice: result.fillPrice,
        fee: result.fee,
        venueOrderId: result.venueOrderId,
        filledAt: result.filledAt,
        slippageBps: slippageBpsOf(order.side, requested, result.fillPrice),
        // Signal event to fill, computed in the same statement (one round trip fewer per order).
        latencyMs: order.signalEventId
          ? sql`greatest(0, round(extract(epoch from (${filledAt}::timestamptz - coalesce((select e.at::timestamptz from signal_events as e where e.id = ${order.signalEventId}), ${filledAt}::timestamptz))) * 1000))::bigint`
          : null,
        positionId: entryPositionId ?? position?.id ?? null,
      })
      .where(and(eq(copyOrders.id, orderId), eq(copyOrders.status, "planned")))
      .returning({ id: copyOrders.id });
    if (!moved) return { status: "filled", remainder: false };
    if (entryPositionId) {
      await tx
        .insert(positions)
        .values({
          id: entryPositionId,
          userId: order.userId,
          copySettingId: order.copySettingId,
          providerId: order.providerId,
          signalId: order.signalId,
          venue: order.venue,
          symbol: order.symbol,
          side: order.side === "buy" ? "long" : "short",
          quantity,
          initialQuantity: quantity,
          avgEntry: result.fillPrice,
          fees: result.fee,
          markPrice: result.fillPrice,
          lastSeq: order.seq ?? 0,
          openedAt: result.filledAt,
        })
        .onConflictDoNothing();
    } else if (position) {
      const [p] = await tx.select().from(positions).where(eq(positions.id, position.id)).for("update");
      const remaining = new Decimal(p!.quantity).minus(quantity);
      const closed = !remaining.gt(0);
      await tx
        .update(positions)
        .set({
          quantity: closed ? "0" : remaining.toFixed(),
          realizedPnl: new Decimal(p!.realizedPnl).plus(realisedPnl(p!.side, p!.avgEntry, result.fillPrice, quantity)).toFixed(),
          fees: new Decimal(p!.fees).plus(result.fee).toFixed(),
          markPrice: result.fillPrice,
          avgExit: sql`round((coalesce((select sum(e.quantity * e.fill_price) from copy_orders as e where e.position_id = ${p!.id} and e.leg <> 'entry' and e.status = 'filled'), 0))
            / nullif((select sum(e.quantity) from copy_orders as e where e.position_id = ${p!.id} and e.leg <> 'entry' and e.status = 'filled'), 0), 8)`,
          status: closed ? "closed" : "open",
          closedAt: closed ? result.filledAt : null,
          lastSeq: Math.max(p!.lastSeq, order.seq ?? 0),
        })
        .where(eq(positions.id, p!.id));
      if (short && !closed) {
        // The rest of the exit, under its own client order id (the venue holds the first), placed by the next run.
        await tx
          .insert(copyOrders)
          .values({
            id: newId("cpo"),
            clientOrderId: remainderId(order.clientOrderId),
            userId: order.userId,
            copySettingId: order.copySettingId,
            providerId: order.providerId,
            signalId: order.signalId,
            signalEventId: order.signalEventId,
            seq: order.seq,
            venue: order.venue,
            symbol: order.symbol,
            side: order.side,
            leg: order.leg,
            orderType: "market",
            status: "planned",
            reason: `remainder: ${partialNote} under ${order.clientOrderId}`,
            remainderOf: order.clientOrderId,
            requestedPrice: order.requestedPrice,
            quantity: Decimal.min(new Decimal(requestedQty).minus(quantity), remaining).toFixed(),
          })
          .onConflictDoNothing();
        await notifyFollowers(tx, [order.userId]);
        return { status: "filled", remainder: true };
      }
    }
    await notifyFollowers(tx, [order.userId]);
    return { status: "filled", remainder: false };
  });
  // After the commit: this run placed the orders it listed, so the remainder needs a run of its own.
  if (recorded.remainder) await requestConnectionRun(order.venue);
  return { status: recorded.status };
}

/** An exit planned on a serial venue, sized from the position as it stands (the planner never refuses an exit). */
async function sizeExit(order: typeof copyOrders.$inferSelect, position: typeof positions.$inferSelect, now: Date) {
  const price = order.requestedPrice ?? position.markPrice;
  return planCopyOrder(
    { id: order.signalId ?? "", symbol: order.symbol, side: position.side, entryType: "market", entryPrice: position.avgEntry, stopLoss: null, publishedAt: 0, status: "open" },
    { kind: "exit", leg: order.leg as Exclude<CopyLeg, "entry">, seq: order.seq ?? 0, at: now.getTime(), price, share: order.share ?? "all" },
    EXIT_SETTINGS,
    { equity: "0", dayStartEquity: "0", openPositions: 0, providerPnl: "0", entitled: true, killSwitch: null, position: { quantity: position.quantity, initialQuantity: position.initialQuantity, side: position.side } },
    { price, slippageBps: "0", ...quantityRules({ market: await marketKind(order.symbol), price }), now: now.getTime() },
  );
}

/** The sweeper's second half: connections with orders planned more than `olderThanMs` ago and still queued. */
export async function staleConnections(olderThanMs = 10_000): Promise<string[]> {
  const rows = await executeRows<{ venue: string }>(
    db,
    // A connection whose run sleeps until its venue takes a waiting order (a closed market) is not stale, until a
    // minute after the time it waits for (then its wake-up or re-run was lost, and the sweeper re-drives it).
    sql`select distinct venue from copy_orders as o where status = 'planned' and created_at < now() - make_interval(secs => ${olderThanMs / 1000})
        and not exists (select 1 from copy_orders as w where w.venue = o.venue and w.status = 'planned' and w.reason like ${`${WAITING_PREFIX}until %`}
          and substring(w.reason from '^waiting: until (\\S+): ')::timestamptz > now() - interval '1 minute')`,
  );
  return rows.map((r) => r.venue);
}

/**
 * "Also copy signals already open when I start following": when a following turns copying on with it, the provider's
 * live signals (open, or a limit entry still pending) are entered for that follower now, each under its publication's
 * client order id (a signal copied already is not copied twice), through the same planner (the slippage guard
 * compares the price now with the provider's entry). Returns the orders written.
 */
export async function catchUpOpenSignals(copySettingId: string, options: EngineOptions = {}): Promise<number> {
  const opts = withDefaults(options);
  const [c] = await db.select().from(copySettings).where(eq(copySettings.id, copySettingId));
  if (!c?.enabled || !c.copyOpenSignals) return 0;
  const published = await db
    .select({ event: signalEvents })
    .from(signalEvents)
    .innerJoin(signals, eq(signals.id, signalEvents.signalId))
    .where(and(eq(signals.providerId, c.providerId), inArray(signals.status, ["open", "pending"]), eq(signalEvents.kind, "published")))
    .orderBy(asc(signalEvents.seq));
  let written = 0;
  for (const { event } of published) {
    const fanout: CopyFanoutRow = {
      id: `catch-up:${copySettingId}`,
      signalEventId: event.id,
      signalId: event.signalId,
      providerId: event.providerId,
      seq: event.seq,
      kind: "published",
      at: event.at,
      data: event.data,
      status: "pending",
      redrives: 0,
      followers: 0,
      orders: 0,
      createdAt: new Date(),
      finishedAt: null,
    };
    const page = await entryPage(fanout, { from: "", until: null }, { ...opts, onlySetting: copySettingId });
    written += page.orders;
    await requestConnectionRuns(page.connections ?? []);
  }
  return written;
}

// ---------------------------------------------------------------------------------------------------------------
// Marks: open positions (paper and exchange copies) priced at the market

const marked = new Map<string, number>();
/** How long a symbol's mark stands before a read or the monitor prices it again. */
const MARK_TTL_MS = 10_000;

/**
 * Prices the open copies of these symbols (default: every symbol with an open copy) at the market-data adapter's last
 * price, at most once per symbol per 10 s: open P&L, the paper equity, the risk rules and the copy stop-loss (which
 * counts a following's exchange copies too) use the mark. A symbol the adapter cannot price keeps its last mark.
 */
export async function markOpenPositions(symbols?: readonly string[], options: EngineOptions = {}): Promise<number> {
  const opts = withDefaults(options);
  const list =
    symbols ??
    (await db.selectDistinct({ symbol: positions.symbol }).from(positions).where(eq(positions.status, "open"))).map((r) => r.symbol);
  let updated = 0;
  for (const symbol of new Set(list)) {
    const last = marked.get(symbol);
    if (last && Date.now() - last < MARK_TTL_MS) continue;
    marked.set(symbol, Date.now());
    try {
      const price = await (opts.price ?? marketPrice)(symbol);
      const rows = await db
        .update(positions)
        .set({ markPrice: price })
        .where(and(eq(positions.symbol, symbol), eq(positions.status, "open")))
        .returning({ id: positions.id });
      updated += rows.length;
    } catch (err) {
      logger.warn({ err, symbol }, "copy: could not mark open positions to market");
    }
  }
  return updated;
}

/** Forgets when symbols were last marked (tests: the next read marks again). */
export function forgetMarks(): void {
  marked.clear();
}

/** The marks of one user's open copies, before a read of their positions or account. */
export async function markPositionsOf(userId: string): Promise<void> {
  const rows = await db.selectDistinct({ symbol: positions.symbol }).from(positions).where(and(eq(positions.userId, userId), eq(positions.status, "open")));
  if (rows.length) await markOpenPositions(rows.map((r) => r.symbol));
}

// ---------------------------------------------------------------------------------------------------------------
// Closing by hand (the follower, a kill switch, the copy stop-loss, a reset)

export interface CloseNowInput {
  userId: string;
  providerId?: string;
  positionIds?: string[];
  reason: "manual" | "kill_switch" | "copy_stop" | "reset";
  /** Only the paper copies (a paper account's reset leaves the user's exchange copies alone). */
  paperOnly?: boolean;
  now?: Date;
}

/**
 * Closes the user's open copies now, each as a `manual` leg. Paper copies fill here, at the market price with
 * slippage. A copy on an exchange connection is only closed by the exchange: it gets a `planned` closing order that
 * the connection's run places (sized from the position then), and stays open in our books until that fill.
 * Idempotent per position (its manual close has one client order id): a repeat closes or plans nothing twice.
 */
export async function closePositionsNow(input: CloseNowInput, options: EngineOptions = {}): Promise<{ closed: number; planned: number }> {
  const opts = withDefaults(options);
  const now = input.now ?? (opts.now ?? (() => new Date()))();
  const filters = [eq(positions.userId, input.userId), eq(positions.status, "open")];
  if (input.providerId) filters.push(eq(positions.providerId, input.providerId));
  if (input.paperOnly) filters.push(eq(positions.venue, "paper"));
  if (input.positionIds) {
    if (!input.positionIds.length) return { closed: 0, planned: 0 };
    filters.push(inArray(positions.id, input.positionIds));
  }
  const open = await db.select({ symbol: positions.symbol, venue: positions.venue }).from(positions).where(and(...filters));
  const prices = new Map<string, { price: string; bps: string; kind: "crypto" | "forex" | "stocks" }>();
  for (const { symbol } of open.filter((o) => isBatchVenue(o.venue))) {
    if (prices.has(symbol)) continue;
    prices.set(symbol, { price: await (opts.price ?? marketPrice)(symbol), bps: await (opts.slippageBps ?? modelledSlippageBps)(symbol), kind: await marketKind(symbol) });
  }
  const result = await db.transaction(async (tx) => {
    const rows = await executeRows<OpenPositionRow>(
      tx,
      sql`select * from positions where ${and(...filters)} order by id for update`,
    );
    const orders: OrderRecord[] = [];
    const serial: OpenPositionRow[] = [];
    for (const p of rows) {
      if (!isBatchVenue(p.venue)) {
        serial.push(p);
        continue;
      }
      const m = prices.get(p.symbol);
      if (!m) continue;
      const market: PlanMarket = { price: m.price, slippageBps: m.bps, ...quantityRules({ market: m.kind, price: m.price }), now: now.getTime() };
      const leg: PlanLeg = { kind: "exit", leg: "manual", seq: 0, at: now.getTime(), price: m.price, share: "all" };
      const o = exitRecord(p, leg, market, { clientOrderId: manualCloseId(p), signalEventId: null, seq: null, requestedAt: now.getTime() }, now);
      if (o) orders.push({ ...o, reason: input.reason });
    }
    const inserted = await persistOrders(tx, orders, now);
    const planned = serial.length
      ? await executeRows<{ venue: string }>(
          tx,
          sql`insert into copy_orders (id, client_order_id, user_id, copy_setting_id, provider_id, signal_id, venue, symbol, side, leg, order_type, status, reason, quantity)
              select x.id, x.client_order_id, x.user_id, x.copy_setting_id, x.provider_id, x.signal_id, x.venue, x.symbol, x.side::order_side, 'manual', 'market',
                'planned', ${input.reason}, 0
              from jsonb_to_recordset(${JSON.stringify(
                serial.map((p) => ({
                  id: newId("cpo"),
                  client_order_id: manualCloseId(p),
                  user_id: p.user_id,
                  copy_setting_id: p.copy_setting_id,
                  provider_id: p.provider_id,
                  signal_id: p.signal_id,
                  venue: p.venue,
                  symbol: p.symbol,
                  side: p.side === "long" ? "sell" : "buy",
                })),
              )}::jsonb) as x(id text, client_order_id text, user_id text, copy_setting_id text, provider_id text, signal_id text, venue text, symbol text, side text)
              on conflict (client_order_id) do nothing
              returning venue`,
        )
      : [];
    return { closed: inserted.size, planned: planned.length, connections: [...new Set(planned.map((r) => r.venue))] };
  });
  await requestConnectionRuns(result.connections);
  return { closed: result.closed, planned: result.planned };
}

/** The client order id of a position's manual close: one per position, whoever asks and however often. */
const manualCloseId = (p: { id: string; user_id: string }) => clientOrderId({ eventId: p.id, userId: p.user_id, leg: "manual-close" });
