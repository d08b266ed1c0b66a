/**
 * The profile chart's close markers, read as just the columns the chart needs. The window is the provider's most
 * recently finished signals (closed, cancelled or expired; newest close first, the order the history pages in), of
 * which the closed ones with a result are marked. Finished signals are public whoever looks, so no viewer is needed.
 */
import "server-only";
import { and, desc, eq, inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { signals } from "@/server/db/schema";

/** How many finished signals the markers are drawn from; beyond this the chart would be a solid band of dots. */
export const CLOSE_MARK_WINDOW = 500;

export interface CloseMark {
  number: number;
  closedAt: Date;
  resultPct: string;
}

export interface CloseMarks {
  marks: CloseMark[];
  /** The highest-numbered signal in the window, whose hash the profile shows as the latest chain entry. */
  newest: { number: number; hash: string } | null;
}

export async function closeMarks(providerId: string, window = CLOSE_MARK_WINDOW): Promise<CloseMarks> {
  const rows = await db
    .select({ number: signals.number, status: signals.status, closedAt: signals.closedAt, resultPct: signals.resultPct, hash: signals.hash })
    .from(signals)
    .where(and(eq(signals.providerId, providerId), inArray(signals.status, ["closed", "cancelled", "expired"])))
    .orderBy(desc(signals.closedAt), desc(signals.number))
    .limit(window);
  const marks = rows.flatMap((s) => (s.status === "closed" && s.closedAt && s.resultPct !== null ? [{ number: s.number, closedAt: s.closedAt, resultPct: s.resultPct }] : []));
  const newest = rows.reduce<CloseMarks["newest"]>((best, s) => (!best || s.number > best.number ? { number: s.number, hash: s.hash } : best), null);
  return { marks, newest };
}
