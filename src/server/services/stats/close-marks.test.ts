/**
 * The profile chart's close markers come from one narrow query (closeMarks) instead of reading up to 500 whole
 * signals through the public signal list: the marks and the newest finished signal must be exactly what the page
 * used to derive from those pages (the most recent finished signals, newest close first, closed ones with a result).
 */
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { signals } from "@/server/db/schema";
import { useTestDatabase } from "@/test/db";
import { callerFor } from "@/test/factories";
import { newProvider } from "@/test/signals";
import { CLOSE_MARK_WINDOW, closeMarks } from "./close-marks";

useTestDatabase();

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** `n` signals of every finished and live kind, some closing at the same instant (ordered then by number). */
async function signalsFor(providerId: string, n: number) {
  const statuses = ["closed", "closed", "cancelled", "closed", "expired", "open", "closed", "pending"] as const;
  const rows = Array.from({ length: n }, (_, i) => {
    const status = statuses[i % statuses.length]!;
    const finished = status === "closed" || status === "cancelled" || status === "expired";
    // Closing times run backwards and forwards and repeat, so the order is the query's, not the insertion's.
    const closedAt = finished ? new Date(T0 + ((i * 37) % 211) * HOUR) : null;
    return {
      providerId,
      number: i + 1,
      symbol: "BTC/USDT",
      side: "long" as const,
      entryType: "market" as const,
      entryPrice: "100",
      source: "api" as const,
      status,
      publishedAt: new Date(T0 - HOUR),
      closedAt,
      // One closed signal in eleven has no result yet: it is not marked.
      resultPct: status === "closed" && i % 11 !== 0 ? (((i % 7) - 3) / 100).toFixed(4) : null,
      prevHash: "0".repeat(64),
      hash: i.toString(16).padStart(64, "0"),
    };
  });
  for (let i = 0; i < rows.length; i += 200) await db.insert(signals).values(rows.slice(i, i + 200));
}

/** What the profile page computed before: up to five pages of 100 finished signals from the public list. */
async function asThePageDid(slug: string) {
  const caller = await callerFor(null);
  const first = await caller.signals.forProvider({ slug, status: "done", page: 1, pageSize: 100 });
  const pages = Math.min(5, Math.ceil(first.total / 100));
  const rest = await Promise.all(Array.from({ length: Math.max(0, pages - 1) }, (_, i) => caller.signals.forProvider({ slug, status: "done", page: i + 2, pageSize: 100 })));
  const all = [first, ...rest].flatMap((p) => p.items).flatMap((s) => (s.visibility === "full" ? [s] : []));
  const marks = all.flatMap((s) => (s.status === "closed" && s.closedAt && s.resultPct !== null ? [{ number: s.number, closedAt: s.closedAt, resultPct: s.resultPct }] : []));
  const newest = all.reduce<{ number: number; hash: string } | null>((best, s) => (!best || s.number > best.number ? { number: s.number, hash: s.hash } : best), null);
  return { marks, newest, finished: first.total };
}

describe("closeMarks", () => {
  it("marks what the page marked when there are more finished signals than the window", async () => {
    const { provider } = await newProvider();
    await signalsFor(provider.id, 800);
    const before = await asThePageDid(provider.slug);
    expect(before.finished).toBeGreaterThan(CLOSE_MARK_WINDOW);
    expect(before.marks.length).toBeGreaterThan(200);
    const now = await closeMarks(provider.id);
    expect(now).toEqual({ marks: before.marks, newest: before.newest });
  });

  it("marks every close when there are fewer, and nothing for a provider with no finished signal", async () => {
    const { provider } = await newProvider();
    await signalsFor(provider.id, 30);
    const before = await asThePageDid(provider.slug);
    expect(before.finished).toBeLessThan(CLOSE_MARK_WINDOW);
    expect(before.marks.length).toBeGreaterThan(5);
    expect(await closeMarks(provider.id)).toEqual({ marks: before.marks, newest: before.newest });

    const empty = await newProvider();
    expect(await closeMarks(empty.provider.id)).toEqual({ marks: [], newest: null });
    expect(await asThePageDid(empty.provider.slug)).toMatchObject({ marks: [], newest: null });
  });

  it("reads only the provider's own signals", async () => {
    const a = await newProvider();
    const b = await newProvider();
    await signalsFor(a.provider.id, 20);
    expect(await closeMarks(b.provider.id)).toEqual({ marks: [], newest: null });
  });
});
