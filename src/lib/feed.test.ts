import { describe, expect, it } from "vitest";
import { byEventDesc, feedEvent, mergeFeed, sectionOf, type FeedSignalLike, type FeedStatus } from "./feed";

const T = Date.UTC(2026, 11, 1, 12);
const at = (h: number) => new Date(T + h * 3_600_000);

function sig(id: string, status: FeedStatus, t: { published: number; filled?: number | null; closed?: number | null }): FeedSignalLike {
  const filled = t.filled === undefined ? (status === "pending" ? null : t.published) : t.filled;
  return { id, status, publishedAt: at(t.published), filledAt: filled === null ? null : at(filled), closedAt: t.closed == null ? null : at(t.closed) };
}

describe("feedEvent", () => {
  it("places a signal by the change that happened last of publication, fill and finish", () => {
    expect(feedEvent(sig("a", "pending", { published: 1 }))).toEqual({ kind: "published", at: at(1) });
    expect(feedEvent(sig("b", "open", { published: 1 }))).toEqual({ kind: "published", at: at(1) });
    expect(feedEvent(sig("c", "open", { published: 1, filled: 5 }))).toEqual({ kind: "filled", at: at(5) });
    expect(feedEvent(sig("d", "closed", { published: 1, filled: 2, closed: 9 }))).toEqual({ kind: "closed", at: at(9) });
    expect(feedEvent(sig("e", "cancelled", { published: 1, filled: null, closed: 3 }))).toEqual({ kind: "cancelled", at: at(3) });
    expect(feedEvent(sig("f", "expired", { published: 1, filled: null, closed: 7 }))).toEqual({ kind: "expired", at: at(7) });
  });

  it("puts live signals in the open section and finished ones in recent", () => {
    expect((["pending", "open", "closed", "cancelled", "expired"] as const).map((status) => sectionOf({ status }))).toEqual(["open", "open", "recent", "recent", "recent"]);
  });

  it("orders newest event first, ties by id as the server pages them", () => {
    const rows = [sig("sig_a", "closed", { published: 0, closed: 4 }), sig("sig_c", "closed", { published: 0, closed: 5 }), sig("sig_b", "closed", { published: 0, closed: 5 })];
    expect(rows.sort(byEventDesc).map((r) => r.id)).toEqual(["sig_c", "sig_b", "sig_a"]);
  });
});

describe("mergeFeed: live deliveries joining the fetched feed", () => {
  const open1 = sig("o1", "open", { published: 10 });
  const open2 = sig("o2", "pending", { published: 20 });
  const done1 = sig("d1", "closed", { published: 1, closed: 8 });
  const done2 = sig("d2", "cancelled", { published: 1, filled: null, closed: 6 });
  const fetched = { open: [open2, open1], recent: [done1, done2] };

  it("leaves the fetched feed as it is with nothing live", () => {
    expect(mergeFeed(fetched, [])).toEqual(fetched);
  });

  it("puts a newly published signal at the top of the open section", () => {
    const fresh = sig("o3", "open", { published: 30 });
    const merged = mergeFeed(fetched, [fresh]);
    expect(merged.open.map((s) => s.id)).toEqual(["o3", "o2", "o1"]);
    expect(merged.recent).toEqual(fetched.recent);
  });

  it("moves a signal that closed from open to the top of recent, listed once", () => {
    const closed = { ...open1, status: "closed" as const, closedAt: at(30) };
    const merged = mergeFeed(fetched, [closed]);
    expect(merged.open.map((s) => s.id)).toEqual(["o2"]);
    expect(merged.recent.map((s) => s.id)).toEqual(["o1", "d1", "d2"]);
    expect(merged.recent[0]).toBe(closed);
  });

  it("replaces a signal in place when a change keeps it open (a stop moved), without a second row", () => {
    const moved = { ...open1, stopLoss: "1" };
    const merged = mergeFeed(fetched, [moved]);
    expect(merged.open).toEqual([open2, moved]);
    expect(merged.open[1]).toBe(moved);
  });

  it("moves a pending limit entry that filled to its fill time", () => {
    const filled = { ...open2, status: "open" as const, filledAt: at(40) };
    const other = sig("o3", "open", { published: 30 });
    expect(mergeFeed(fetched, [other, filled]).open.map((s) => s.id)).toEqual(["o2", "o3", "o1"]);
  });

  it("keeps the newest of several deliveries of one signal (the stream is newest first)", () => {
    const closed = { ...open1, status: "closed" as const, closedAt: at(31) };
    const merged = mergeFeed(fetched, [closed, open1]);
    expect(merged.open.map((s) => s.id)).toEqual(["o2"]);
    expect(merged.recent.map((s) => s.id)).toEqual(["o1", "d1", "d2"]);
  });

  it("lists a signal once when pages overlap after a refetch", () => {
    const merged = mergeFeed({ open: fetched.open, recent: [done1, done2, done1] }, []);
    expect(merged.recent.map((s) => s.id)).toEqual(["d1", "d2"]);
  });
});
