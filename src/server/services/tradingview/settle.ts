/**
 * The general way, for every alert (exits, reversals, cancels, and any open the fast way could not settle): one
 * transaction that claims the delivery, locks the provider, decides the alert on the state found under the lock,
 * makes every change and records the answer — or, on a refusal or any failure, writes nothing.
 */
import "server-only";
import { and, eq, sql } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { executeRows } from "@/server/db/raw";
import { signals, webhookDeliveries } from "@/server/db/schema";
import { ConflictError, isLockTimeout } from "@/server/errors";
import type { ServiceContext } from "@/server/services/context";
import {
  announceChange,
  announcePublished,
  checkPublicationVerdict,
  exitLocked,
  liveSignalRows,
  lockProvider,
  publishLocked,
  refundPublication,
  type PublicationCheck,
  type SignalRow,
} from "@/server/services/signals";
import { toView } from "@/server/services/signals/views";
import { getMarketData, type SymbolInfo } from "@/server/integrations/market-data";
import type { ParsedAlert } from "@/lib/tradingview";
import { openInput, opensSide, otherSide, passphraseMatches } from "./alert";
import { LOCK_TIMEOUT, inFlightAnswer, refusal, repeatAnswer, unknownUrl, wrongPassphrase, type AlertOutcome } from "./answers";
import { flightOf, inFlight, type KnownProvider } from "./memory";
import { providerContext } from "./open";

/** Thrown inside `settle`'s transaction when another process holds this delivery's claim. */
class DeliveryInFlight extends Error {}

/** What `settle`'s transaction decided: the answer recorded with it, and what to announce once it committed. */
interface Settled {
  answer: AlertOutcome;
  exited: SignalRow[];
  opened: SignalRow | null;
  /** The open was refused by its checks (after exits that stand): the refusal counts against the quota. */
  openRefused?: boolean;
}

/**
 * Decides and applies one alert in one transaction (see the module header).
 *
 * The claim is this transaction's advisory lock on (provider, key): a repeat in another process finds it taken
 * and is answered 503 at once. It lasts exactly as long as the transaction, so it cannot outlive its process: when
 * a process dies, PostgreSQL ends its transactions as soon as it notices the connection gone — at once if the
 * transaction was idle between statements, and within the 2 s `lock_timeout` if it was waiting for the provider's
 * lock (the statement then fails and the dead connection is found). A redelivery after that is processed; one
 * before it gets 503, and TradingView's next resend (5 s later) is processed.
 *
 * The market is read before the transaction (nothing but the database is awaited under the lock): the price an
 * exit fills at, and the open's checks, whose verdict counts only if the alert turns out to open.
 */
export async function settle(ctx: ServiceContext, provider: KnownProvider, tokenHash: string, alert: ParsedAlert, info: SymbolInfo, key: string): Promise<AlertOutcome> {
  const flight = flightOf(provider.id, key);
  if (inFlight.has(flight)) return inFlightAnswer();
  inFlight.add(flight);
  try {
    const acting = providerContext(ctx, provider);
    const side = opensSide(alert.intent);
    const price = alert.intent === "cancel" ? null : (await getMarketData().lastPrice(info.symbol)).price;
    const check = side ? await checkPublicationVerdict(acting, provider.id, openInput(alert, info, side, key)) : null;
    let settled: Settled;
    try {
      settled = await db.transaction((tx) => settleLocked(acting, tx, { provider, tokenHash, alert, info, key, price, check }));
    } catch (err) {
      // A refused open counts against the quota like any refused publication; nothing else that wrote nothing does.
      if (check?.counted && !(check.ok === false && err === check.error)) await refundPublication(provider.id);
      if (err instanceof DeliveryInFlight || isLockTimeout(err)) return inFlightAnswer();
      return refusal(err);
    }
    if (check?.counted && !settled.opened && !settled.openRefused) await refundPublication(provider.id);
    for (const s of settled.exited) await announceChange(s, s.status === "cancelled" ? "cancelled" : "closed");
    if (settled.opened) await announcePublished(settled.opened);
    return settled.answer;
  } finally {
    inFlight.delete(flight);
  }
}

interface SettleInput {
  provider: KnownProvider;
  tokenHash: string;
  alert: ParsedAlert;
  info: SymbolInfo;
  key: string;
  /** The market price exits fill at (null for a cancel, which fills nothing). */
  price: string | null;
  /** The open's checks, made before the lock; null when the alert cannot open. */
  check: PublicationCheck | null;
}

async function settleLocked(ctx: ServiceContext, tx: Executor, { provider, tokenHash, alert, info, key, price, check }: SettleInput): Promise<Settled> {
  const now = ctx.now;
  // Bounds the wait for the provider's lock (the price monitor, a manual close, a dead process's statement).
  await tx.execute(sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`));
  const [claim] = await executeRows<{ free: boolean }>(tx, sql`select pg_try_advisory_xact_lock(hashtext(${`tradingview-delivery:${provider.id}:${key}`})) as free`);
  if (!claim?.free) throw new DeliveryInFlight();
  const locked = await lockProvider(tx, provider.id, { tokenHash, passphrase: true });
  // The token was rotated while this alert was on its way: it no longer belongs to anyone.
  if (!locked) return { answer: unknownUrl(), exited: [], opened: null };
  // The passphrase changed meanwhile: the alert must carry the new one.
  const passphraseEnc = locked.webhookPassphraseEnc ?? null;
  if (passphraseEnc !== provider.webhookPassphraseEnc && passphraseEnc && !passphraseMatches(alert, passphraseEnc)) {
    return { answer: wrongPassphrase(), exited: [], opened: null };
  }

  const [prior] = await tx
    .select({ status: webhookDeliveries.status, response: webhookDeliveries.response })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.providerId, provider.id), eq(webhookDeliveries.key, key)));
  if (prior?.status) return { answer: repeatAnswer(prior.response, prior.status), exited: [], opened: null };

  const side = opensSide(alert.intent);
  const owner = (s: SignalRow) => toView(s, "owner");
  const record = async (answer: AlertOutcome, exited: SignalRow[], opened: SignalRow | null): Promise<Settled> => {
    await tx
      .insert(webhookDeliveries)
      .values({ providerId: provider.id, key, status: answer.status, response: answer.body })
      // Only a status-0 claim left by an older version can be there (an answer was looked for above, under the lock).
      .onConflictDoUpdate({ target: [webhookDeliveries.providerId, webhookDeliveries.key], set: { status: answer.status, response: answer.body } });
    return { answer, exited, opened };
  };

  if (side) {
    // A signal already holds this alert's key: its open happened (with whatever it exited); nothing more to do.
    const [existing] = await tx.select().from(signals).where(and(eq(signals.providerId, provider.id), eq(signals.idempotencyKey, key))).limit(1);
    if (existing) return record({ status: 200, body: { action: "opened", signal: owner(existing) } }, [], null);
  }

  const live = await liveSignalRows(tx, provider.id, info.symbol);
  const exit = async (targets: SignalRow[]) => {
    const done: SignalRow[] = [];
    // Ends are dated in one order: each at or after the state it acts on and the one before it.
    let at = now;
    for (const s of targets) {
      const next = await exitLocked({ ...ctx, now: at }, tx, s, price ?? s.entryPrice);
      at = next.closedAt ?? at;
      done.push(next);
    }
    return done;
  };
  const openSide = async (opening: "long" | "short", exited: SignalRow[]) => {
    if (!check) throw new Error("settle: an open without checks");
    if (!check.ok) throw check.error;
    const at = exited.reduce((t, s) => (s.closedAt && s.closedAt > t ? s.closedAt : t), now);
    return publishLocked(ctx, tx, provider.id, { ...check.value, now: at }, "tradingview");
  };

  switch (alert.intent) {
    case "cancel": {
      const pending = live.filter((s) => s.status === "pending");
      if (!pending.length) throw new ConflictError(`No pending limit entry on ${info.symbol} to cancel.`);
      const exited = await exit(pending);
      return record({ status: 200, body: { action: "cancelled", signals: exited.map(owner) } }, exited, null);
    }
    case "close": {
      if (!live.length) throw new ConflictError(`No open signal on ${info.symbol} to exit.`);
      const exited = await exit(live);
      return record({ status: 200, body: { action: "closed", signals: exited.map(owner) } }, exited, null);
    }
    case "close_or_open_long":
    case "close_or_open_short": {
      const opening = alert.intent === "close_or_open_long" ? "long" : "short";
      const opposite = live.filter((s) => s.side === otherSide(opening));
      if (opposite.length) {
        const exited = await exit(opposite);
        return record({ status: 200, body: { action: "closed", signals: exited.map(owner) } }, exited, null);
      }
      const opened = await openSide(opening, []);
      return record({ status: 201, body: { action: "opened", signal: owner(opened) } }, [], opened);
    }
    case "open_long":
    case "open_short": {
      const opening = alert.intent === "open_long" ? "long" : "short";
      // A reversal closes the other side first.
      const exited = await exit(live.filter((s) => s.side === otherSide(opening)));
      if (exited.length && check && !check.ok) {
        // The strategy has left the other side whether or not the new one can be opened, and TradingView never
        // resends after a 4xx: the exits stand, recorded with the refusal of the open.
        const refused = refusal(check.error);
        const sideName = otherSide(opening);
        const reason = (refused.body.error as { message: string }).message;
        const body = {
          error: { message: `Closed the ${sideName} on ${info.symbol}, but the ${opening} was not opened: ${reason}` },
          action: "closed",
          signals: exited.map(owner),
        };
        return { ...(await record({ status: refused.status, body }, exited, null)), openRefused: true };
      }
      const opened = await openSide(opening, exited);
      const body = exited.length ? { action: "reversed", signal: owner(opened), closed: exited.map(owner) } : { action: "opened", signal: owner(opened) };
      return record({ status: 201, body }, exited, opened);
    }
  }
}
