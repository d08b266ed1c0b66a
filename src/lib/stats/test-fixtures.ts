/** Builders for the track-record tests. Test-only; imported by *.test.ts beside it. */
import type { ClosedSignal } from "./types";

export const t = (iso: string) => new Date(iso);

/** One signal; `legs` are [price, share, iso time]; closedAt is the last leg's time unless given. */
export function sig(
  id: string,
  side: ClosedSignal["side"],
  entryPrice: string,
  initialStop: string | null,
  openedAt: string,
  legs: [price: string, share: string, at: string][],
  closedAt?: string,
): ClosedSignal {
  const last = legs[legs.length - 1];
  if (last === undefined) throw new Error("fixture needs a leg");
  return {
    id,
    side,
    entryPrice,
    initialStop,
    openedAt: t(openedAt),
    closedAt: t(closedAt ?? last[2]),
    legs: legs.map(([price, share, at]) => ({ price, share, at: t(at) })),
  };
}

/** A signal with one full exit, opened and closed on `day` (YYYY-MM-DD) at 10:00 and 14:00 UTC. */
export function dayTrade(id: string, day: string, side: ClosedSignal["side"], entry: string, stop: string, exit: string): ClosedSignal {
  return sig(id, side, entry, stop, `${day}T10:00:00Z`, [[exit, "1", `${day}T14:00:00Z`]]);
}
