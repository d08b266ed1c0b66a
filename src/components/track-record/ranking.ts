/** Why a provider is or is not ranked in a window, in words, from the rule in src/lib/stats (30 days, 20 closes). */
import { MIN_CLOSED_SIGNALS, MIN_TRACK_RECORD_DAYS } from "@/lib/stats/constants";
import { daysBetween } from "./format";

export const RANKING_RULE = `needs ${MIN_TRACK_RECORD_DAYS} days and ${MIN_CLOSED_SIGNALS} closed signals`;

/** What is still missing before ranking, e.g. ["12 of 20 closed signals", "track record 9 of 30 days"]. */
export function missingForRanking(stats: { closedSignals: number; firstSignalAt: Date | null } | null, now: Date = new Date()): string[] {
  const missing: string[] = [];
  const days = stats?.firstSignalAt ? daysBetween(stats.firstSignalAt, now) : 0;
  const closed = stats?.closedSignals ?? 0;
  if (closed < MIN_CLOSED_SIGNALS) missing.push(`${closed} of ${MIN_CLOSED_SIGNALS} closed signals`);
  if (days < MIN_TRACK_RECORD_DAYS) missing.push(`${stats?.firstSignalAt ? days : 0} of ${MIN_TRACK_RECORD_DAYS} days of track record`);
  return missing;
}

/** The same, short, for after RANKING_RULE: "15 closed so far", "12 days and 4 closed so far". */
export function rankingProgress(stats: { closedSignals: number; firstSignalAt: Date | null } | null, now: Date = new Date()): string {
  const days = stats?.firstSignalAt ? daysBetween(stats.firstSignalAt, now) : 0;
  const closed = stats?.closedSignals ?? 0;
  const parts: string[] = [];
  if (days < MIN_TRACK_RECORD_DAYS) parts.push(`${days} ${days === 1 ? "day" : "days"}`);
  if (closed < MIN_CLOSED_SIGNALS) parts.push(`${closed} closed`);
  return parts.length ? `${parts.join(" and ")} so far` : "";
}
