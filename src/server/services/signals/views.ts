/**
 * What each viewer is shown of a signal. Every read of signals for someone other than the owning provider goes
 * through `toView`, which hides the levels of live signals unless the entitlement module says the viewer may see
 * them.
 */
import "server-only";
import { and, count, desc, eq, gte, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { providers, signals } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { accessTo, entitledProviderIds, isLive, type Access, type Viewer } from "@/server/services/entitlements";
import type { SignalRow } from "./types";

export interface FullSignalView {
  visibility: "full";
  id: string;
  providerId: string;
  number: number;
  symbol: string;
  side: "long" | "short";
  entryType: "market" | "limit";
  entryPrice: string;
  initialStop: string | null;
  stopLoss: string | null;
  takeProfits: { price: string; share: string }[];
  note: string;
  source: SignalRow["source"];
  status: SignalRow["status"];
  publishedAt: Date;
  expiresAt: Date | null;
  filledAt: Date | null;
  fillPrice: string | null;
  remaining: string;
  closedAt: Date | null;
  exitPrice: string | null;
  exitReason: string | null;
  resultPct: string | null;
  resultR: string | null;
  hash: string;
}

/** A live signal seen by someone not entitled to it: that it exists, when, and its commitment hash. */
export interface HiddenSignalView {
  visibility: "hidden";
  id: string;
  providerId: string;
  number: number;
  status: "pending" | "open";
  publishedAt: Date;
  hash: string;
}

export type SignalView = FullSignalView | HiddenSignalView;

export function toView(s: SignalRow, access: Access): SignalView {
  if (isLive(s.status) && access === "public") {
    return { visibility: "hidden", id: s.id, providerId: s.providerId, number: s.number, status: s.status as "pending" | "open", publishedAt: s.publishedAt, hash: s.hash };
  }
  return {
    visibility: "full",
    id: s.id,
    providerId: s.providerId,
    number: s.number,
    symbol: s.symbol,
    side: s.side,
    entryType: s.entryType,
    entryPrice: s.entryPrice,
    initialStop: s.initialStop,
    stopLoss: s.stopLoss,
    takeProfits: s.takeProfits,
    note: s.note,
    source: s.source,
    status: s.status,
    publishedAt: s.publishedAt,
    expiresAt: s.expiresAt,
    filledAt: s.filledAt,
    fillPrice: s.fillPrice,
    remaining: s.remaining,
    closedAt: s.closedAt,
    exitPrice: s.exitPrice,
    exitReason: s.exitReason,
    resultPct: s.resultPct,
    resultR: s.resultR,
    hash: s.hash,
  };
}

export async function listProviderSignals(viewer: Viewer | null, slug: string, input: { status: "live" | "done"; page: number; pageSize: number }) {
  const provider = await db.query.providers.findFirst({ where: eq(providers.slug, slug), columns: { id: true } });
  if (!provider) throw new NotFoundError("No provider with that name");
  const access = await accessTo(viewer, provider.id);
  const statuses = input.status === "live" ? (["pending", "open"] as const) : (["closed", "cancelled", "expired"] as const);
  const where = and(eq(signals.providerId, provider.id), inArray(signals.status, [...statuses]));
  const order = input.status === "live" ? [desc(signals.publishedAt)] : [desc(signals.closedAt), desc(signals.number)];
  const [rows, [total]] = await Promise.all([
    db.select().from(signals).where(where).orderBy(...order).limit(input.pageSize).offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(signals).where(where),
  ]);
  return { access, items: rows.map((r) => toView(r, access)), total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}

export async function getSignalView(viewer: Viewer | null, signalId: string): Promise<SignalView> {
  const row = await db.query.signals.findFirst({ where: eq(signals.id, signalId) });
  if (!row) throw new NotFoundError("No signal with that id");
  return toView(row, await accessTo(viewer, row.providerId));
}

/**
 * The signed-in trader's feed: live and recently changed signals of the providers they follow (or their own, for
 * providers), newest first, with provider names.
 */
export async function feedFor(viewer: Viewer, input: { sinceDays: number; limit: number }) {
  const ids = [...(await entitledProviderIds(viewer))];
  if (!ids.length) return [];
  const since = new Date(Date.now() - input.sinceDays * 86_400_000);
  const rows = await db
    .select({ signal: signals, providerName: providers.displayName, providerSlug: providers.slug })
    .from(signals)
    .innerJoin(providers, eq(providers.id, signals.providerId))
    .where(and(inArray(signals.providerId, ids), gte(signals.updatedAt, since)))
    .orderBy(desc(signals.updatedAt))
    .limit(input.limit);
  // Entitled by construction (ids above), so every row is shown in full.
  return rows.map((r) => ({ ...toView(r.signal, "subscriber"), providerName: r.providerName, providerSlug: r.providerSlug }));
}
