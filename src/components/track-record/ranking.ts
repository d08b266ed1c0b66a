/**
 * How ranking reads, in words, from the rule in src/lib/stats (ranked after 30 days and 20 closed signals in the
 * window; the score is risk-adjusted, never raw ROI): why a provider is not ranked yet, what its rank badge says,
 * and which group of the score-ordered marketplace it sits in. Pure: the marketplace cards (server) and the
 * profile's stats tabs (client) use the same words.
 */
import { MIN_CLOSED_SIGNALS, MIN_TRACK_RECORD_DAYS } from "@/lib/stats/constants";
import { daysBetween } from "./format";

export const RANKING_RULE = `needs ${MIN_TRACK_RECORD_DAYS} days and ${MIN_CLOSED_SIGNALS} closed signals`;

/** What ranking reads of a window's stats (null: the provider has no figures in the window). */
export interface RankingFacts {
  closedSignals: number;
  firstSignalAt: Date | string | null;
  ranked?: boolean;
  score?: string | null;
}

/** What is still missing before ranking, e.g. ["12 of 20 closed signals", "18 of 30 days"]; [] when nothing is. */
export function missingForRanking(stats: RankingFacts | null, now: Date = new Date()): string[] {
  const missing: string[] = [];
  const days = stats?.firstSignalAt ? Math.max(0, daysBetween(stats.firstSignalAt, now)) : 0;
  const closed = stats?.closedSignals ?? 0;
  if (closed < MIN_CLOSED_SIGNALS) missing.push(`${closed} of ${MIN_CLOSED_SIGNALS} closed signals`);
  if (days < MIN_TRACK_RECORD_DAYS) missing.push(`${days} of ${MIN_TRACK_RECORD_DAYS} days`);
  return missing;
}

/**
 * Why a provider is not ranked, to show beside "Unranked": "12 of 20 closed signals, 18 of 30 days". When both
 * thresholds are met by now but the stored figures predate that (they are recomputed when a signal closes), it says
 * so rather than showing nothing. Null when ranked.
 */
export function unrankedReason(stats: RankingFacts | null, now: Date = new Date()): string | null {
  if (stats?.ranked) return null;
  const missing = missingForRanking(stats, now);
  return missing.length ? missing.join(", ") : "qualifies; ranked when its figures next update";
}

/** A ranking score with its sign, 2 decimals: "+1.25", "-0.42", "0.00"; "—" when there is none. */
export function signedScore(score: string | null | undefined): string {
  if (score === null || score === undefined || score === "") return "—";
  const n = Number(score);
  if (!Number.isFinite(n)) return "—";
  // Display only: 2 decimals of a ratio that is itself rounded, so a float here cannot change a money figure.
  const fixed = Math.abs(n).toFixed(2);
  if (fixed === "0.00") return "0.00";
  return `${n < 0 ? "-" : "+"}${fixed}`;
}

/**
 * Where a provider sits when the list is ordered by risk-adjusted score: ranked with a score of at least zero,
 * ranked with a negative score (its record lost money for the risk it took), or not ranked yet. The order of the
 * groups is the list's order: a negative score is still a score over a full-length record, so it stays above
 * providers that have none yet, but under its own heading, never mixed with the positive ones.
 */
export type RankGroup = "ranked" | "negative" | "unranked";

export function rankGroup(stats: RankingFacts | null): RankGroup {
  if (!stats?.ranked) return "unranked";
  return stats.score !== null && stats.score !== undefined && Number(stats.score) < 0 ? "negative" : "ranked";
}

export const RANK_GROUP_HEADING: Record<RankGroup, { title: string; note: string }> = {
  ranked: {
    title: "Ranked by risk-adjusted score",
    note: `At least ${MIN_TRACK_RECORD_DAYS} days and ${MIN_CLOSED_SIGNALS} closed signals in this window; best score first.`,
  },
  negative: {
    title: "Ranked, with a negative risk-adjusted score",
    note: "A full-length record that lost money for the risk it took in this window. Listed above providers not ranked yet, who have no score.",
  },
  unranked: {
    title: "Not ranked yet",
    note: `Fewer than ${MIN_TRACK_RECORD_DAYS} days or ${MIN_CLOSED_SIGNALS} closed signals in this window: no score yet, whatever the returns so far.`,
  },
};

/** The badge beside a provider's name. `label` is the whole sentence, for assistive technology and the tooltip. */
export interface RankBadge {
  text: string;
  tone: "green" | "red" | "slate";
  label: string;
}

export function rankBadge(stats: (RankingFacts & { rank?: number | null }) | null, now: Date = new Date()): RankBadge {
  const group = rankGroup(stats);
  if (group === "unranked") {
    const reason = unrankedReason(stats ? { ...stats, ranked: false } : null, now);
    return { text: "Unranked", tone: "slate", label: `Unranked: ${reason}. Ranking ${RANKING_RULE}.` };
  }
  const score = signedScore(stats!.score);
  const scored = score === "—" ? "" : ` (${score})`;
  const position = stats!.rank ? `#${stats!.rank}` : "Ranked";
  if (group === "negative") {
    return {
      text: `${position} · score ${score}`,
      tone: "red",
      label: `${stats!.rank ? `Ranked ${position}` : "Ranked"} by risk-adjusted score, which is negative (${score}): the record lost money for the risk it took.`,
    };
  }
  return {
    text: stats!.rank ? `Ranked ${position}` : "Ranked",
    tone: "green",
    label: `${stats!.rank ? `Ranked ${position}` : "Ranked"} by risk-adjusted score${scored}.`,
  };
}
