/** Builders for the copy-trading integration tests: many followers at once, and the sums the tests check. */
import { afterEach, beforeEach, expect } from "vitest";
import Decimal from "decimal.js";
import { and, asc, eq, sql } from "drizzle-orm";
import { db } from "@/server/db";
import { copyOrders, copySettings, positions, subscriptions, users } from "@/server/db/schema";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { resetRateLimits } from "@/server/rate-limit";
import { configureCopyEngine } from "@/server/services/copy/engine";
import { executeRows } from "@/server/db/raw";
import { newId } from "@/lib/ids";
import { uniqueEmail } from "./factories";

/**
 * `n` traders with an active subscription to the provider and paper copying on (inserted in bulk: no sign-up path,
 * no password hashing), copying since `startedAt` with `allocatedAmount` set aside. Returns their user ids in id order.
 */
export async function copyingFollowers(
  providerId: string,
  n: number,
  settings: Partial<typeof copySettings.$inferInsert> = {},
  startedAt = new Date(Date.now() - 3_600_000),
): Promise<string[]> {
  const rows = Array.from({ length: n }, () => ({ id: newId("usr"), email: uniqueEmail("copier"), role: "subscriber" as const }));
  for (let i = 0; i < rows.length; i += 1000) await db.insert(users).values(rows.slice(i, i + 1000));
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await db.insert(subscriptions).values(chunk.map((u) => ({ subscriberId: u.id, providerId, status: "active" as const })));
    await db.insert(copySettings).values(
      chunk.map((u) => ({ userId: u.id, providerId, enabled: true, venue: "paper", allocatedAmount: "1000", startedAt, ...settings })),
    );
  }
  return rows.map((r) => r.id).sort();
}

/** Copy orders per (signal event, follower, leg), and how many such keys have more than one order. */
export async function orderKeys(signalId: string): Promise<{ orders: number; keys: number; duplicated: number }> {
  const [row] = await executeRows<{ orders: number; keys: number; duplicated: number }>(
    db,
    sql`select count(*)::int as orders,
          count(distinct (signal_event_id, user_id, leg))::int as keys,
          (select count(*)::int from (select 1 from copy_orders where signal_id = ${signalId} group by signal_event_id, user_id, leg having count(*) > 1) d) as duplicated
        from copy_orders where signal_id = ${signalId}`,
  );
  return row!;
}

/** Paper balances by user. */
export async function balances(userIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await executeRows<{ user_id: string; balance: string }>(
    db,
    sql`select user_id, balance::text as balance from paper_accounts where user_id in (select unnest(${`{${userIds.join(",")}}`}::text[]))`,
  );
  return new Map(rows.map((r) => [r.user_id, r.balance]));
}

/** Waits until no fan-out of the signal is pending (the inline runner works through them), then for the runner. */
export async function waitForFanouts(signalId: string, ms = 20_000): Promise<void> {
  const pending = async () =>
    (await executeRows<{ n: number }>(db, sql`select count(*)::int as n from copy_fanouts where signal_id = ${signalId} and status = 'pending'`))[0]!.n;
  const deadline = Date.now() + ms;
  while ((await pending()) > 0) {
    if (Date.now() > deadline) throw new Error(`fan-out of ${signalId} still pending after ${ms} ms`);
    await waitForInlineRuns();
    await new Promise((r) => setTimeout(r, 25));
  }
  await waitForInlineRuns();
}

/** The copy settings id of a following. */
export async function settingIdOf(userId: string, providerId: string): Promise<string> {
  const [row] = await executeRows<{ id: string }>(db, sql`select id from copy_settings where user_id = ${userId} and provider_id = ${providerId}`);
  return row!.id;
}

/** A follower's position in a signal (null if none) and orders for it (chain order; manual closes last). */
export async function copyOf(userId: string, signalId: string) {
  const [position] = await db.select().from(positions).where(and(eq(positions.userId, userId), eq(positions.signalId, signalId)));
  const orders = await db
    .select()
    .from(copyOrders)
    .where(and(eq(copyOrders.userId, userId), eq(copyOrders.signalId, signalId)))
    .orderBy(sql`${copyOrders.seq} asc nulls last`, asc(copyOrders.createdAt));
  return { position: position ?? null, orders };
}

// ---------------------------------------------------------------------------------------------------------------
// An independent model of the paper venue's arithmetic, written from the issue's rules (not from the engine's
// code), for exact expectations: fill = price × (1 ± bps/10,000) against the follower, half-up to 8 dp; fee =
// quantity × fill × 0.1%, half-up to 8 dp; crypto quantities in steps of 10^-(e+1) (e: the price's exponent),
// entries floored to the step, partial exits the nearest step (half-up) of the share of the first size.

const dp8 = (d: Decimal) => d.toDecimalPlaces(8, Decimal.ROUND_HALF_UP);

/** The crypto quantity step at `price`: 32045.14 → 0.00001, 2000.5 → 0.0001. */
export function cryptoStep(price: Decimal.Value): Decimal {
  return new Decimal(10).pow(-(new Decimal(price).e + 1));
}

/** `price` moved `bps` against whoever trades on `side`. */
export function fillAgainst(price: Decimal.Value, bps: Decimal.Value, side: "buy" | "sell"): Decimal {
  const move = new Decimal(bps).div(10_000);
  return dp8(new Decimal(price).mul(side === "buy" ? move.plus(1) : new Decimal(1).minus(move)));
}

export const feeFor = (quantity: Decimal.Value, fill: Decimal.Value) => dp8(new Decimal(quantity).mul(fill).mul("0.001"));

export interface ModelLeg {
  leg: "tp" | "stop" | "close" | "manual";
  quantity: Decimal;
  requested: Decimal;
  fill: Decimal;
  fee: Decimal;
  pnl: Decimal;
}

/** One follower's copy of a signal as the issue's rules say it should go, leg by leg. */
export class ModelCopy {
  readonly legs: ModelLeg[] = [];
  quantity: Decimal;
  readonly initial: Decimal;
  readonly entryFee: Decimal;

  constructor(
    readonly side: "long" | "short",
    readonly entry: Decimal,
    quantity: Decimal,
    readonly bps: Decimal.Value,
    readonly startBalance: Decimal.Value = "10000",
  ) {
    this.quantity = quantity;
    this.initial = quantity;
    this.entryFee = feeFor(quantity, entry);
  }

  /** A market entry of `amount` (quote) at `price` with slippage: quantity floored to the crypto step at `price`. */
  static market(side: "long" | "short", price: Decimal.Value, amount: Decimal.Value, bps: Decimal.Value = "2"): ModelCopy {
    const fill = fillAgainst(price, bps, side === "long" ? "buy" : "sell");
    const step = cryptoStep(price);
    return new ModelCopy(side, fill, new Decimal(amount).div(fill).div(step).floor().mul(step), bps);
  }

  /** A resting limit entry of `amount` filled at the limit (no slippage). */
  static limit(side: "long" | "short", limit: Decimal.Value, amount: Decimal.Value, bps: Decimal.Value = "2"): ModelCopy {
    const step = cryptoStep(limit);
    return new ModelCopy(side, new Decimal(limit), new Decimal(amount).div(limit).div(step).floor().mul(step), bps);
  }

  /** An exit of `share` of the first size (or all that is held) at `price` with slippage. */
  exit(leg: ModelLeg["leg"], price: Decimal.Value, share: Decimal.Value | "all" = "all"): ModelLeg {
    let q = this.quantity;
    if (share !== "all") {
      const step = cryptoStep(price);
      const wanted = Decimal.max(step, this.initial.mul(share).div(step).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).mul(step));
      q = this.quantity.minus(wanted).lt(step) ? this.quantity : wanted;
    }
    const fill = fillAgainst(price, this.bps, this.side === "long" ? "sell" : "buy");
    const move = this.side === "long" ? fill.minus(this.entry) : this.entry.minus(fill);
    const l: ModelLeg = { leg, quantity: q, requested: new Decimal(price), fill, fee: feeFor(q, fill), pnl: dp8(move.mul(q)) };
    this.legs.push(l);
    this.quantity = this.quantity.minus(q);
    return l;
  }

  get realized(): Decimal {
    return this.legs.reduce((a, l) => a.plus(l.pnl), new Decimal(0));
  }
  get fees(): Decimal {
    return this.legs.reduce((a, l) => a.plus(l.fee), this.entryFee);
  }
  /** The size-weighted average of the exits, rounded once. */
  get avgExit(): Decimal | null {
    const q = this.legs.reduce((a, l) => a.plus(l.quantity), new Decimal(0));
    return q.isZero() ? null : dp8(this.legs.reduce((a, l) => a.plus(l.quantity.mul(l.fill)), new Decimal(0)).div(q));
  }
  get balance(): Decimal {
    return new Decimal(this.startBalance).minus(this.entryFee).plus(this.realized).minus(this.legs.reduce((a, l) => a.plus(l.fee), new Decimal(0)));
  }
}

const plainOf = (v: string | null | undefined) => (v == null ? null : new Decimal(v).toFixed());

/**
 * Asserts a follower's copy of a signal against the model: the position (quantities, average entry and exit,
 * realised P&L, fees, status), its filled orders leg by leg (quantity, fill, fee) and the paper balance, exactly.
 * Each time a copy changes the balance by its P&L less its fees, so an account's balance is the start plus the sum
 * of its copies' `balance - startBalance`.
 */
export async function expectCopy(
  userId: string,
  signalId: string,
  m: ModelCopy,
  opts: {
    what?: string;
    /** The balance expected (default: the model's, this copy being the account's only trade). */
    balance?: Decimal;
  } = {},
): Promise<void> {
  const what = opts.what ?? userId;
  const { position, orders } = await copyOf(userId, signalId);
  expect(position, `${what}: position`).not.toBeNull();
  const p = position!;
  expect(
    {
      quantity: plainOf(p.quantity),
      initialQuantity: plainOf(p.initialQuantity),
      avgEntry: plainOf(p.avgEntry),
      avgExit: plainOf(p.avgExit),
      realizedPnl: plainOf(p.realizedPnl),
      fees: plainOf(p.fees),
      status: p.status,
    },
    `${what}: position`,
  ).toEqual({
    quantity: m.quantity.toFixed(),
    initialQuantity: m.initial.toFixed(),
    avgEntry: m.entry.toFixed(),
    avgExit: m.avgExit?.toFixed() ?? null,
    realizedPnl: m.realized.toFixed(),
    fees: m.fees.toFixed(),
    status: m.quantity.isZero() ? "closed" : "open",
  });
  const filled = orders.filter((o) => o.status === "filled").map((o) => ({ leg: o.leg, quantity: plainOf(o.quantity), fill: plainOf(o.fillPrice), fee: plainOf(o.fee) }));
  expect(filled, `${what}: filled orders`).toEqual([
    { leg: "entry", quantity: m.initial.toFixed(), fill: m.entry.toFixed(), fee: m.entryFee.toFixed() },
    ...m.legs.map((l) => ({ leg: l.leg, quantity: l.quantity.toFixed(), fill: l.fill.toFixed(), fee: l.fee.toFixed() })),
  ]);
  expect(plainOf((await balances([userId])).get(userId)), `${what}: balance`).toBe((opts.balance ?? m.balance).toFixed());
}

/**
 * The copy engine as the integration tests run it: rate limits reset and a fixed 2 bps slippage before each test,
 * the defaults put back and the inline runs awaited after it. Call at the top of a test file, after useTestDatabase.
 */
export const COPY_TEST_SLIPPAGE = async () => "2";

export function useCopyEngine(): void {
  beforeEach(() => {
    resetRateLimits();
    configureCopyEngine({ slippageBps: COPY_TEST_SLIPPAGE });
  });
  afterEach(async () => {
    configureCopyEngine({});
    await waitForInlineRuns();
  });
}
