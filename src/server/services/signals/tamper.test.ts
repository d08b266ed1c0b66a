/**
 * Tamper evidence (issue 3, acceptance 2) against what the signals service really stores: after a few signals with
 * events (publish, move stop, fill, partial closes, close, cancel), changing any recorded field of any `signals` or
 * `signal_events` row with raw SQL makes `verifyStoredChain` fail, and its first problem is at the entry that
 * records the field. Each change is undone afterwards and the chain verifies again, so every case starts clean.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq, sql, type SQL } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { candle, useFakeMarket } from "@/test/fake-market";
import { actingAs, newProvider, rawRows } from "@/test/signals";
import { db } from "@/server/db";
import { signalEvents, signals } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { verifyStoredChain } from "@/server/services/chain";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { cancelSignal, closeSignal, monitorSignal, moveStop, publishSignal } from "./index";

useTestDatabase();
const market = useFakeMarket();

const HOUR = 3_600_000;
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 10 * HOUR;

interface Fixture {
  providerId: string;
  otherProviderId: string;
  /** Signal ids by role. */
  ids: { closedLong: string; partialLimit: string; cancelled: string; openShort: string; pendingLimit: string };
  /** Chain entries (seq, kind, level) per signal id. */
  entries: Map<string, { seq: number; kind: string; level?: number }[]>;
}

let fx: Fixture;

/**
 * P's chain, interleaved across four signals:
 *  1 closedLong published   2 partialLimit published   3 closedLong stop_moved   4 cancelled published
 *  5 partialLimit filled    6 partialLimit partial_close (target 1)   7 closedLong partial_close (manual)
 *  8 openShort published    9 cancelled cancelled      10 closedLong closed       11 pendingLimit published
 */
async function build(): Promise<Fixture> {
  const p = await newProvider();
  const q = await newProvider();
  const meta = actingAs(p.user);
  const owned = (signalId: string) => ({ providerId: p.provider.id, signalId });

  const closedLong = await publishSignal({ ...meta, now: new Date(T0) }, p.provider.id, { symbol: "BTC/USDT", side: "long", stopLoss: "31000", takeProfits: [{ price: "33000", share: "0.5" }, { price: "34000", share: "0.5" }], note: "breakout" }, "ui");
  const partialLimit = await publishSignal(
    { ...meta, now: new Date(T0 + 60_000) },
    p.provider.id,
    { symbol: "ETH/USDT", side: "long", entryType: "limit", entryPrice: "1900", stopLoss: "1850", takeProfits: [{ price: "1950", share: "0.5" }, { price: "2100", share: "0.5" }], expiresInHours: 48 },
    "api",
  );
  await moveStop({ ...meta, now: new Date(T0 + 2 * 60_000) }, owned(closedLong.signal.id), "31500");
  const cancelled = await publishSignal({ ...meta, now: new Date(T0 + 3 * 60_000) }, p.provider.id, { symbol: "EUR/USD", side: "short", entryType: "limit", entryPrice: "1.09", stopLoss: "1.095" }, "tradingview");
  // The limit fills in the first hour after publication and reaches its first target in the second.
  const r = await monitorSignal(
    partialLimit.signal.id,
    [candle(T0 + HOUR, "1950", "1960", "1895", "1920"), candle(T0 + 2 * HOUR, "1920", "1980", "1910", "1970")],
    HOUR,
  );
  expect(r!.events.map((e) => e.kind)).toEqual(["filled", "partial_close"]);
  market.setPrice("BTC/USDT", "32600");
  await closeSignal({ ...meta, now: new Date(T0 + 3 * HOUR) }, owned(closedLong.signal.id), { share: "0.5" });
  market.setPrice("BTC/USDT", "32045.14");
  const openShort = await publishSignal({ ...meta, now: new Date(T0 + 4 * HOUR) }, p.provider.id, { symbol: "BTC/USDT", side: "short", stopLoss: "33000" }, "ui");
  await cancelSignal({ ...meta, now: new Date(T0 + 5 * HOUR) }, owned(cancelled.signal.id));
  market.setPrice("BTC/USDT", "32800");
  await closeSignal({ ...meta, now: new Date(T0 + 6 * HOUR) }, owned(closedLong.signal.id), {});
  market.setPrice("BTC/USDT", "32045.14");
  const pendingLimit = await publishSignal({ ...meta, now: new Date(T0 + 7 * HOUR) }, p.provider.id, { symbol: "BTC/USDT", side: "long", entryType: "limit", entryPrice: "31000", stopLoss: "30000" }, "ui");

  const events = await db.select().from(signalEvents).where(eq(signalEvents.providerId, p.provider.id)).orderBy(asc(signalEvents.seq));
  const entries = new Map<string, { seq: number; kind: string; level?: number }[]>();
  for (const e of events) {
    entries.set(e.signalId, [...(entries.get(e.signalId) ?? []), { seq: e.seq, kind: e.kind, ...(typeof e.data.level === "number" ? { level: e.data.level } : {}) }]);
  }
  const ids = { closedLong: closedLong.signal.id, partialLimit: partialLimit.signal.id, cancelled: cancelled.signal.id, openShort: openShort.signal.id, pendingLimit: pendingLimit.signal.id };
  expect(events.map((e) => `${e.seq}:${e.kind}:${Object.entries(ids).find(([, id]) => id === e.signalId)![0]}`)).toEqual([
    "1:published:closedLong",
    "2:published:partialLimit",
    "3:stop_moved:closedLong",
    "4:published:cancelled",
    "5:filled:partialLimit",
    "6:partial_close:partialLimit",
    "7:partial_close:closedLong",
    "8:published:openShort",
    "9:cancelled:cancelled",
    "10:closed:closedLong",
    "11:published:pendingLimit",
  ]);
  return { providerId: p.provider.id, otherProviderId: q.provider.id, ids, entries };
}

beforeEach(async () => {
  resetRateLimits();
  fx = await build();
  await waitForInlineRuns();
  expect(await verifyStoredChain(fx.providerId)).toMatchObject({ ok: true, checked: 11, problems: [] });
});
afterEach(() => waitForInlineRuns());

/** Where a verifier may point for a change to one column of a signal row: the entries that record the field. */
function expectedSeqs(signalId: string, column: string): number[] {
  const list = fx.entries.get(signalId)!;
  const published = list[0]!.seq;
  const last = list.at(-1)!.seq;
  const of = (kind: string) => list.filter((e) => e.kind === kind).map((e) => e.seq);
  const terminal = list.find((e) => ["closed", "cancelled", "expired"].includes(e.kind))?.seq;
  switch (column) {
    case "stop_loss":
      return [of("stop_moved").at(-1) ?? published];
    case "status":
      // A terminal entry contradicts the new status; without one, a recorded fill contradicts "pending".
      return [terminal ?? of("filled")[0] ?? last, ...(terminal ? [] : [last])];
    case "filled_at":
    case "fill_price":
      return [of("filled")[0] ?? published];
    case "remaining":
      // Closed means nothing remains; otherwise the size left follows from the partial closes since publication.
      return [list.find((e) => e.kind === "closed")?.seq ?? of("partial_close").at(-1) ?? published];
    case "targets_hit":
      // Removing a recorded hit points at its partial close; adding one the chain never recorded, at the latest entry.
      return [list.find((e) => e.kind === "partial_close" && e.level !== undefined)?.seq ?? last];
    case "closed_at":
    case "exit_price":
    case "exit_reason":
    case "result_pct":
    case "result_r":
      return [terminal ?? last];
    default:
      return [published];
  }
}

// A different value for each recorded column of `signals`, whatever the current one (null included).
const HEX_SHIFT = (col: string) => `translate(${col}, '0123456789abcdef', '123456789abcdef0')`;
const signalChanges: Record<string, string[]> = {
  provider_id: ["<other provider>"],
  number: ["number + 100"],
  symbol: ["case when symbol = 'ETH/USDT' then 'BTC/USDT' else 'ETH/USDT' end"],
  side: ["(case when side = 'long' then 'short' else 'long' end)::signal_side"],
  entry_type: ["(case when entry_type = 'market' then 'limit' else 'market' end)::entry_type"],
  entry_price: ["entry_price * 0.99"],
  initial_stop: ["coalesce(initial_stop, entry_price) * 0.98", "null"],
  stop_loss: ["coalesce(stop_loss, entry_price) * 0.98", "null"],
  take_profits: [
    `case when jsonb_array_length(take_profits) = 0 then '[{"price":"99999","share":"1"}]'::jsonb else jsonb_set(take_profits, '{0,price}', '"12345"') end`,
    "'[]'::jsonb",
  ],
  note: ["note || ' (edited)'"],
  source: ["(case when source = 'api' then 'ui' else 'api' end)::signal_source"],
  status: ["pending", "open", "closed", "cancelled", "expired"].map((s) => `'${s}'::signal_status`),
  published_at: ["published_at - interval '1 hour'"],
  expires_at: ["coalesce(expires_at, published_at) + interval '1 day'", "null"],
  filled_at: ["coalesce(filled_at, published_at) - interval '1 minute'", "null"],
  fill_price: ["coalesce(fill_price, entry_price) * 0.99", "null"],
  remaining: ["case when remaining > 0.5 then remaining - 0.5 else remaining + 0.25 end"],
  targets_hit: ["(case when cardinality(targets_hit) = 0 then '{0}' else '{}' end)::int[]"],
  closed_at: ["coalesce(closed_at, published_at) + interval '1 hour'", "null"],
  exit_price: ["coalesce(exit_price, entry_price) * 1.01", "null"],
  exit_reason: ["case when exit_reason = 'target' then 'stop' else 'target' end", "null"],
  result_pct: ["coalesce(result_pct, 0) + 0.05", "null"],
  result_r: ["coalesce(result_r, 0) + 1", "null"],
  prev_hash: [HEX_SHIFT("prev_hash")],
  hash: [HEX_SHIFT("hash")],
};

async function snapshot(table: "signals" | "signal_events", id: string): Promise<string> {
  const [row] = await rawRows<{ j: unknown }>(sql`select to_jsonb(t) as j from ${sql.identifier(table)} t where id = ${id}`);
  return JSON.stringify(row!.j);
}

async function restore(table: "signals" | "signal_events", column: string, id: string, json: string) {
  const t = sql.identifier(table);
  const c = sql.identifier(column);
  await db.execute(sql`update ${t} x set ${c} = r.${c} from jsonb_populate_record(null::${t}, ${json}::jsonb) r where x.id = r.id and x.id = ${id}`);
}

async function currentIs(table: "signals" | "signal_events", id: string, json: string): Promise<boolean> {
  return (await snapshot(table, id)) === JSON.stringify(JSON.parse(json));
}

/**
 * Applies one change, checks verification fails and points at the right entry, then undoes it. For a signal row the
 * first problem must be at one of `expected` (the entries recording that field); for a chain entry some problem
 * must be at its own seq (other entries may then also disagree with the row) or, when the entry moved, name its
 * seq as missing. Returns a description of what went wrong, or null; a change that leaves the value as it was
 * (null on a null column) is skipped.
 */
async function probe(table: "signals" | "signal_events", column: string, id: string, expr: SQL, expected: number[], label: string): Promise<string | null> {
  const before = await snapshot(table, id);
  await db.execute(sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = ${expr} where id = ${id}`);
  try {
    if (await currentIs(table, id, before)) return null;
    const r = await verifyStoredChain(fx.providerId);
    if (r.ok) return `${label}: not detected`;
    const first = r.problems[0]!;
    if (table === "signals") {
      return expected.includes(first.seq) ? null : `${label}: first problem at seq ${first.seq} (${first.message}), expected seq ${expected.join(" or ")}`;
    }
    const seq = expected[0]!;
    // A moved entry leaves a gap, reported where the chain resumes and naming the missing seq.
    const located = r.problems.some((p) => p.seq === seq || new RegExp(`^Entr(y|ies) ${seq} (is|to)`).test(p.message));
    return located ? null : `${label}: no problem at seq ${seq}: ${JSON.stringify(r.problems)}`;
  } finally {
    await restore(table, column, id, before);
    expect(await currentIs(table, id, before)).toBe(true);
  }
}

describe("changing a stored signal row", () => {
  for (const [column, exprs] of Object.entries(signalChanges)) {
    it(`${column}: detected on every signal, at the entry that records it`, async () => {
      const problems: string[] = [];
      for (const [role, id] of Object.entries(fx.ids)) {
        for (const e of exprs) {
          const expr = e === "<other provider>" ? sql`${fx.otherProviderId}` : sql.raw(e);
          const problem = await probe("signals", column, id, expr, expectedSeqs(id, column), `${role}.${column} = ${e}`);
          if (problem) problems.push(problem);
        }
      }
      expect(problems).toEqual([]);
      expect((await verifyStoredChain(fx.providerId)).ok).toBe(true);
    });
  }
});

describe("changing a stored chain entry", () => {
  const eventChanges: Record<string, (row: { seq: number; signalId: string }) => SQL[]> = {
    seq: () => [sql`seq + 1000`],
    kind: () => [sql.raw("(case when kind = 'closed' then 'partial_close' else 'closed' end)::signal_event_kind")],
    at: () => [sql.raw(`to_char((at::timestamptz - interval '1 second') at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`)],
    nonce: () => [sql.raw(HEX_SHIFT("nonce"))],
    prev_hash: () => [sql.raw(HEX_SHIFT("prev_hash"))],
    hash: () => [sql.raw(HEX_SHIFT("hash"))],
    signal_id: (row) => [sql`${Object.values(fx.ids).find((id) => id !== row.signalId)!}`],
    data: () => [sql.raw(`data || '{"extra":"1"}'::jsonb`), sql.raw("'{}'::jsonb")],
  };

  for (const [column, changes] of Object.entries(eventChanges)) {
    it(`${column}: detected on every entry, at its seq`, async () => {
      const rows = await db.select().from(signalEvents).where(eq(signalEvents.providerId, fx.providerId)).orderBy(asc(signalEvents.seq));
      expect(rows).toHaveLength(11); // every entry of the fixture is changed in turn
      const problems: string[] = [];
      for (const row of rows) {
        for (const expr of changes(row)) {
          const problem = await probe("signal_events", column, row.id, expr, [row.seq], `entry ${row.seq} (${row.kind}).${column}`);
          if (problem) problems.push(problem);
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it("data: changing any one field of any entry is detected at its seq", async () => {
    const rows = await db.select().from(signalEvents).where(eq(signalEvents.providerId, fx.providerId)).orderBy(asc(signalEvents.seq));
    const problems: string[] = [];
    let probes = 0;
    for (const row of rows) {
      for (const key of Object.keys(row.data)) {
        // A plausible forgery of each value: a price nudged, a side flipped, a level removed.
        const expr = sql`jsonb_set(data, ${`{${key}}`}::text[], case jsonb_typeof(data->${key}) when 'string' then to_jsonb((data->>${key}) || '0') when 'array' then '[]'::jsonb when 'null' then '"1"'::jsonb else to_jsonb(coalesce(data->>${key}, '') || '1') end)`;
        const problem = await probe("signal_events", "data", row.id, expr, [row.seq], `entry ${row.seq} (${row.kind}).data.${key}`);
        probes++;
        if (problem) problems.push(problem);
        const removed = await probe("signal_events", "data", row.id, sql`data - ${key}`, [row.seq], `entry ${row.seq} (${row.kind}).data without ${key}`);
        if (removed) problems.push(removed);
      }
    }
    expect(probes).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it("deleting an entry is reported where the gap is", async () => {
    const rows = await db.select().from(signalEvents).where(eq(signalEvents.providerId, fx.providerId)).orderBy(asc(signalEvents.seq));
    expect(rows).toHaveLength(11); // every entry of the fixture is deleted in turn
    for (const row of rows) {
      await db.execute(sql`delete from signal_events where id = ${row.id}`);
      const r = await verifyStoredChain(fx.providerId);
      expect(r.ok, `deleting entry ${row.seq}`).toBe(false);
      const located = r.problems.some((p) => p.message.includes(`Entry ${row.seq} is missing`) || (p.seq === row.seq && p.check === "state")) || row.seq === rows.length;
      expect(located, `deleting entry ${row.seq}: ${JSON.stringify(r.problems)}`).toBe(true);
      await db.insert(signalEvents).values(row);
      expect((await verifyStoredChain(fx.providerId)).ok).toBe(true);
    }
  });
});

describe("the chain as stored by the service", () => {
  it("records every signal's published entry hash on its row", async () => {
    for (const id of Object.values(fx.ids)) {
      const row = await db.query.signals.findFirst({ where: eq(signals.id, id) });
      const [published] = await db.select().from(signalEvents).where(eq(signalEvents.signalId, id)).orderBy(asc(signalEvents.seq)).limit(1);
      expect({ hash: row!.hash, prevHash: row!.prevHash }).toEqual({ hash: published!.hash, prevHash: published!.prevHash });
    }
  });
});
