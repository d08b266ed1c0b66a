/**
 * The paper account as its owner sees it (balance, equity marked at the positions' mark prices, realised P&L, fees,
 * resets and a day-end realised-equity curve) and its reset. The fan-out engine (./engine) owns fills and balances;
 * this module only reads them, except for the reset, which closes positions through the engine first.
 *
 * Realised equity moves on fills only: an entry costs its fee, an exit adds its P&L against the position's average
 * entry (rounded to 8 places, as the engine's `realisedPnl` rounds) and costs its fee. The curve sums those per UTC
 * day from the account's creation or last reset, so it ends at the balance.
 */
import "server-only";
import Decimal from "decimal.js";
import { and, count, desc, eq, gt, gte, sql } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { copySettings, copyOrders, paperAccountResets, paperAccounts, positions } from "@/server/db/schema";
import { ConflictError } from "@/server/errors";
import type { ActingContext } from "@/server/services/context";
import { recordAudit } from "@/server/services/audit";
import { closePositionsNow, ensurePaperAccount, markPositionsOf } from "./engine";

export const PAPER_STARTING_BALANCE = "10000";
export const PAPER_CURRENCY = "USDT";

/** Open P&L of a position at its mark price, in SQL (numeric, exact). */
export const unrealisedPnlSql = sql<string>`case when ${positions.side} = 'long' then (${positions.markPrice} - ${positions.avgEntry}) * ${positions.quantity} else (${positions.avgEntry} - ${positions.markPrice}) * ${positions.quantity} end`;

const fmt = (d: Decimal) => (d.isZero() ? "0" : d.toFixed());

/** Open positions' P&L summed and counted (paper venue), optionally for one provider's copies. */
export async function openPnl(userId: string, tx: Executor = db, providerId?: string): Promise<{ unrealised: string; open: number }> {
  const [row] = await tx
    .select({ pnl: sql<string | null>`sum(${unrealisedPnlSql})`, n: count() })
    .from(positions)
    .where(and(eq(positions.userId, userId), eq(positions.status, "open"), eq(positions.venue, "paper"), providerId ? eq(positions.providerId, providerId) : undefined));
  return { unrealised: fmt(new Decimal(row?.pnl ?? 0)), open: row?.n ?? 0 };
}

/** Cash plus open P&L; a user without a paper account yet has the starting balance. */
export async function paperEquity(userId: string, tx: Executor = db): Promise<{ balance: string; equity: string }> {
  const account = await tx.query.paperAccounts.findFirst({ where: eq(paperAccounts.userId, userId), columns: { balance: true } });
  const balance = account?.balance ?? PAPER_STARTING_BALANCE;
  const { unrealised } = await openPnl(userId, tx);
  return { balance: fmt(new Decimal(balance)), equity: fmt(new Decimal(balance).plus(unrealised)) };
}

export interface EquityPoint {
  /** UTC day, YYYY-MM-DD (lightweight-charts' business day). */
  time: string;
  /** Realised equity at the day's end. */
  value: string;
}

export interface PaperAccountView {
  exists: boolean;
  currency: string;
  startingBalance: string;
  balance: string;
  equity: string;
  unrealisedPnl: string;
  /** Since the account's creation or last reset: exits' P&L before fees, and every fill's fee. */
  realisedPnl: string;
  fees: string;
  openPositions: number;
  resets: number;
  /** When the current run of the account started: creation or the last reset. */
  since: Date | null;
  lastReset: { at: Date; balanceBefore: string; equityBefore: string; positionsClosed: number } | null;
  curve: EquityPoint[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export async function paperAccountView(userId: string, now: Date = new Date()): Promise<PaperAccountView> {
  // Open copies priced at the market first: equity and open P&L are at the mark.
  await markPositionsOf(userId);
  const account = await db.query.paperAccounts.findFirst({ where: eq(paperAccounts.userId, userId) });
  if (!account) {
    const { unrealised, open } = await openPnl(userId);
    return {
      exists: false,
      currency: PAPER_CURRENCY,
      startingBalance: PAPER_STARTING_BALANCE,
      balance: PAPER_STARTING_BALANCE,
      equity: fmt(new Decimal(PAPER_STARTING_BALANCE).plus(unrealised)),
      unrealisedPnl: unrealised,
      realisedPnl: "0",
      fees: "0",
      openPositions: open,
      resets: 0,
      since: null,
      lastReset: null,
      curve: [{ time: day(now), value: PAPER_STARTING_BALANCE }],
    };
  }
  const [lastReset] = await db.select().from(paperAccountResets).where(eq(paperAccountResets.accountId, account.id)).orderBy(desc(paperAccountResets.createdAt)).limit(1);
  const since = lastReset?.createdAt ?? account.createdAt;
  const { unrealised, open } = await openPnl(userId);

  // A reset's own closing fills carry its instant; the run after it starts strictly later.
  const after = lastReset ? gt(copyOrders.filledAt, since) : gte(copyOrders.filledAt, since);
  const dayExpr = sql<string>`to_char(${copyOrders.filledAt} at time zone 'UTC', 'YYYY-MM-DD')`;
  const pnlExpr = sql<string>`coalesce(sum(case when ${copyOrders.leg} = 'entry' then 0 else round(case when ${positions.side} = 'long' then (${copyOrders.fillPrice} - ${positions.avgEntry}) else (${positions.avgEntry} - ${copyOrders.fillPrice}) end * ${copyOrders.quantity}, 8) end), 0)`;
  const rows = await db
    .select({ day: dayExpr, pnl: pnlExpr, fees: sql<string>`coalesce(sum(${copyOrders.fee}), 0)` })
    .from(copyOrders)
    .innerJoin(positions, eq(positions.id, copyOrders.positionId))
    .where(and(eq(copyOrders.userId, userId), eq(copyOrders.venue, "paper"), eq(copyOrders.status, "filled"), after))
    .groupBy(dayExpr)
    .orderBy(dayExpr);

  let equity = new Decimal(account.startingBalance);
  let pnl = new Decimal(0);
  let fees = new Decimal(0);
  const curve: EquityPoint[] = [];
  const startDay = day(since);
  if (!rows.length || rows[0]!.day !== startDay) curve.push({ time: startDay, value: fmt(equity) });
  for (const r of rows) {
    pnl = pnl.plus(r.pnl);
    fees = fees.plus(r.fees);
    equity = equity.plus(r.pnl).minus(r.fees);
    curve.push({ time: r.day, value: fmt(equity) });
  }
  return {
    exists: true,
    currency: account.currency,
    startingBalance: fmt(new Decimal(account.startingBalance)),
    balance: fmt(new Decimal(account.balance)),
    equity: fmt(new Decimal(account.balance).plus(unrealised)),
    unrealisedPnl: unrealised,
    realisedPnl: fmt(pnl),
    fees: fmt(fees),
    openPositions: open,
    resets: account.resets,
    since,
    lastReset: lastReset
      ? { at: lastReset.createdAt, balanceBefore: fmt(new Decimal(lastReset.balanceBefore)), equityBefore: fmt(new Decimal(lastReset.equityBefore)), positionsClosed: lastReset.positionsClosed }
      : null,
    curve,
  };
}

/**
 * Closes every open paper position at the current price (the engine records each as a manual leg with reason
 * "reset"), then records the reset with what the account held and puts the balance back to the start. Enabled
 * followings are re-based (started now, allocation from the fresh equity) so the copy stop-loss does not count the
 * old run's losses against the new one.
 */
export async function resetPaperAccount(ctx: ActingContext): Promise<{ closed: number; balanceBefore: string; balanceAfter: string }> {
  const userId = ctx.actor.id;
  const { closed } = await closePositionsNow({ userId, reason: "reset", paperOnly: true, now: ctx.now });
  return db.transaction(async (tx) => {
    const ensured = await ensurePaperAccount(userId, tx);
    // INVARIANT: fills and resets of one account serialise on its row.
    const [account] = await tx.select().from(paperAccounts).where(eq(paperAccounts.id, ensured.id)).for("update");
    const { unrealised, open } = await openPnl(userId, tx);
    if (open > 0) throw new ConflictError("A copy opened while your paper account was being reset. Try the reset again.");
    const balanceBefore = fmt(new Decimal(account!.balance));
    const equityBefore = fmt(new Decimal(account!.balance).plus(unrealised));
    await tx.insert(paperAccountResets).values({ accountId: account!.id, balanceBefore, equityBefore, balanceAfter: PAPER_STARTING_BALANCE, positionsClosed: closed, createdAt: ctx.now });
    await tx
      .update(paperAccounts)
      .set({ balance: PAPER_STARTING_BALANCE, startingBalance: PAPER_STARTING_BALANCE, resets: sql`${paperAccounts.resets} + 1`, day: day(ctx.now), dayStartEquity: PAPER_STARTING_BALANCE, updatedAt: ctx.now })
      .where(eq(paperAccounts.id, account!.id));
    await tx
      .update(copySettings)
      .set({ startedAt: ctx.now, allocatedAmount: sql`trim_scale(round(${PAPER_STARTING_BALANCE}::numeric * ${copySettings.allocationPct}, 8))`, updatedAt: ctx.now })
      .where(and(eq(copySettings.userId, userId), eq(copySettings.enabled, true)));
    await recordAudit(tx, {
      actorId: userId,
      action: "copy.paper_account.reset",
      targetType: "paper_account",
      targetId: account!.id,
      data: { balanceBefore, equityBefore, balanceAfter: PAPER_STARTING_BALANCE, positionsClosed: closed },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return { closed, balanceBefore, balanceAfter: PAPER_STARTING_BALANCE };
  });
}
