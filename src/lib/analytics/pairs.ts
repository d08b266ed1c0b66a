/** Track-record figures per traded pair, by the one implementation in src/lib/stats (DESIGN.md definitions). */
import { computeStats, type ClosedSignal } from "@/lib/stats";

export interface PairStats {
  symbol: string;
  /** Closed signals on the pair. */
  closed: number;
  wins: number;
  /** Fractions as decimal strings (8 places), as src/lib/stats returns them. */
  winRate: string;
  /** The standard account (10,000 USD, 10% per signal, compounding) run over this pair's signals alone. */
  roi: string;
  /** null when no signal on the pair lost. */
  profitFactor: string | null;
}

/**
 * Groups closed signals by symbol and runs computeStats over each group's whole history ("all" up to `now`).
 * Sorted by closed count, then symbol.
 */
export function statsByPair(signals: readonly (ClosedSignal & { symbol: string })[], now: Date): PairStats[] {
  const groups = new Map<string, ClosedSignal[]>();
  for (const s of signals) {
    const list = groups.get(s.symbol) ?? [];
    list.push(s);
    groups.set(s.symbol, list);
  }
  return [...groups]
    .map(([symbol, list]) => {
      const st = computeStats(list, "all", now, { trackRecordStart: null });
      return { symbol, closed: st.closedSignals, wins: st.wins, winRate: st.winRate, roi: st.roi, profitFactor: st.profitFactor };
    })
    .sort((a, b) => b.closed - a.closed || a.symbol.localeCompare(b.symbol));
}
