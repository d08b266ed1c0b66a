/** Reads of signal rows for their provider and for the signals service itself (views for others: ./views). */
import "server-only";
import { and, count, desc, eq, inArray } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { signals } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import type { SignalRow } from "./types";

export async function listOwnSignals(providerId: string, input: { status?: "live" | "done"; page: number; pageSize: number }) {
  const statusCond =
    input.status === "live" ? inArray(signals.status, ["pending", "open"]) : input.status === "done" ? inArray(signals.status, ["closed", "cancelled", "expired"]) : undefined;
  const where = and(eq(signals.providerId, providerId), statusCond);
  const [items, [total]] = await Promise.all([
    db.select().from(signals).where(where).orderBy(desc(signals.publishedAt), desc(signals.number)).limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(signals).where(where),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}

/** Live (pending/open) signals of a provider on one symbol, newest first, as read inside the caller's transaction. */
export async function liveSignalRows(tx: Executor, providerId: string, symbol: string): Promise<SignalRow[]> {
  return tx
    .select()
    .from(signals)
    .where(and(eq(signals.providerId, providerId), eq(signals.symbol, symbol), inArray(signals.status, ["pending", "open"])))
    .orderBy(desc(signals.publishedAt), desc(signals.number));
}

/** The provider's signal holding an idempotency key, if any. */
export async function signalByKey(providerId: string, key: string): Promise<SignalRow | undefined> {
  const [row] = await db
    .select()
    .from(signals)
    .where(and(eq(signals.providerId, providerId), eq(signals.idempotencyKey, key)))
    .limit(1);
  return row;
}

export async function loadSignal(id: string): Promise<SignalRow> {
  const [row] = await db.select().from(signals).where(eq(signals.id, id)).limit(1);
  if (!row) throw new NotFoundError("No signal with that id");
  return row;
}
