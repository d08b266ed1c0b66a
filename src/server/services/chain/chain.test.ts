import { describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { db, type Executor } from "@/server/db";
import { providers, signalEvents, signals, type SignalStatus } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { GENESIS_HASH, checkSignalStates, hashEntry, publishedEventData, verifyChain } from "@/lib/chain";
import { appendChainEntry, getPublicChain, verifyStoredChain } from "./index";

const t = useTestDatabase();

const T0 = Date.UTC(2026, 10, 21, 6, 30);
const at = (min: number) => new Date(T0 + min * 60_000);

async function newProvider() {
  const user = await createUser("provider");
  const provider = await db.query.providers.findFirst({ where: eq(providers.userId, user.id) });
  return provider!;
}

/** Inserts a signal row and its `published` entry the way the signals service does, in the caller's transaction. */
async function publish(
  tx: Executor,
  providerId: string,
  number: number,
  status: SignalStatus = "open",
  publishedAt = at(number),
  beforeAppend?: () => Promise<void>,
) {
  const [row] = await tx
    .insert(signals)
    .values({
      providerId,
      number,
      symbol: "BTC/USDT",
      side: "long",
      entryType: "market",
      entryPrice: "65000.50",
      initialStop: "63000",
      stopLoss: "63000",
      takeProfits: [
        { price: "68000", share: "0.5" },
        { price: "70000", share: "0.5" },
      ],
      source: "ui",
      status,
      publishedAt,
      filledAt: publishedAt,
      fillPrice: "65000.50",
      prevHash: GENESIS_HASH,
      hash: GENESIS_HASH,
    })
    .returning();
  await beforeAppend?.();
  const entry = await appendChainEntry(tx, { providerId, signalId: row!.id, kind: "published", at: publishedAt, data: publishedEventData(row!) });
  await tx.update(signals).set({ prevHash: entry.prevHash, hash: entry.hash }).where(eq(signals.id, row!.id));
  return { signalId: row!.id, entry };
}

/** Closes a signal at one price: the row change and its `closed` entry in one transaction. */
async function close(providerId: string, signalId: string, closedAt: Date, price = "69000") {
  await db.transaction(async (tx) => {
    await tx
      .update(signals)
      .set({ status: "closed", closedAt, exitPrice: price, exitReason: "manual", remaining: "0" })
      .where(eq(signals.id, signalId));
    await appendChainEntry(tx, { providerId, signalId, kind: "closed", at: closedAt, data: { price, share: "1", reason: "manual" } });
  });
}

const summary = (r: { problems: { seq: number; check: string }[] }) => r.problems.map((p) => `${p.seq}:${p.check}`);

describe("appendChainEntry", () => {
  it("links entries from the genesis hash and stores exactly what it hashed", async () => {
    const p = await newProvider();
    const first = await db.transaction((tx) => publish(tx, p.id, 1));
    const second = await db.transaction((tx) => publish(tx, p.id, 2));
    expect(first.entry).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, at: at(1).toISOString() });
    expect(first.entry.nonce).toMatch(/^[0-9a-f]{32}$/);
    expect(second.entry).toMatchObject({ seq: 2, prevHash: first.entry.hash });

    const [stored] = await db.select().from(signalEvents).where(eq(signalEvents.seq, 2));
    // Recomputed from the row as read back (jsonb reorders keys; the canonical encoding does not care).
    expect(await hashEntry({ ...stored!, data: stored!.data })).toBe(second.entry.hash);
    expect(await verifyStoredChain(p.id)).toMatchObject({ ok: true, checked: 2, hidden: 0, problems: [], head: second.entry.hash });
  });

  it("serialises concurrent appends for one provider into seq 1 and 2", async () => {
    const p = await newProvider();
    // On PostgreSQL both transactions insert their signal row (taking KEY SHARE locks on the provider through the
    // foreign key) before either appends: the interleaving where a FOR UPDATE lock would deadlock. PGlite runs
    // transactions one at a time, so there the barrier would wait forever and is skipped.
    let arrived = 0;
    let release!: () => void;
    const bothInserted = new Promise<void>((r) => (release = r));
    const barrier =
      t.handle.kind === "postgres"
        ? () => {
            if (++arrived === 2) release();
            return bothInserted;
          }
        : undefined;
    const [a, b] = await Promise.all([
      db.transaction((tx) => publish(tx, p.id, 1, "open", at(1), barrier)),
      db.transaction((tx) => publish(tx, p.id, 2, "open", at(2), barrier)),
    ]);
    const seqs = [a.entry.seq, b.entry.seq].sort();
    expect(seqs).toEqual([1, 2]);
    const [one, two] = a.entry.seq === 1 ? [a, b] : [b, a];
    expect(one.entry.prevHash).toBe(GENESIS_HASH);
    expect(two.entry.prevHash).toBe(one.entry.hash);
    expect((await verifyStoredChain(p.id)).ok).toBe(true);
  });

  it("keeps one chain per provider", async () => {
    const [p, q] = [await newProvider(), await newProvider()];
    await db.transaction((tx) => publish(tx, p.id, 1));
    const other = await db.transaction((tx) => publish(tx, q.id, 1));
    expect(other.entry).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
  });

  it("refuses to run outside a transaction, for an unknown provider, or with float numbers in data", async () => {
    const p = await newProvider();
    const { signalId } = await db.transaction((tx) => publish(tx, p.id, 1));
    const input = { providerId: p.id, signalId, kind: "stop_moved" as const, at: at(5), data: { stopLoss: "64000" } };
    await expect(appendChainEntry(db, input)).rejects.toThrow(/inside the caller's transaction/);
    await expect(db.transaction((tx) => appendChainEntry(tx, { ...input, providerId: "prv_missing" }))).rejects.toBeInstanceOf(NotFoundError);
    await expect(db.transaction((tx) => appendChainEntry(tx, { ...input, data: { stopLoss: 64000.5 } }))).rejects.toThrow(/decimals in chain data as strings/);
    expect(await t.db.$count(signalEvents)).toBe(1);
  });
});

describe("verifyStoredChain", () => {
  async function threeEntries() {
    const p = await newProvider();
    const s1 = await db.transaction((tx) => publish(tx, p.id, 1));
    await db.transaction((tx) => publish(tx, p.id, 2));
    await close(p.id, s1.signalId, at(30));
    expect((await verifyStoredChain(p.id)).ok).toBe(true);
    return { p, s1 };
  }

  it("reports an event whose data was changed in the database, at its seq", async () => {
    const { p } = await threeEntries();
    await db.execute(sql`update signal_events set data = jsonb_set(data, '{price}', '"71000"') where seq = 3 and provider_id = ${p.id}`);
    const r = await verifyStoredChain(p.id);
    expect(r.ok).toBe(false);
    expect(summary(r)).toContain("3:hash");
    expect(r.problems.every((x) => x.seq === 3)).toBe(true);
  });

  it("reports a signal row whose stop was changed, at its published entry", async () => {
    const { p, s1 } = await threeEntries();
    await db.update(signals).set({ initialStop: "64000" }).where(eq(signals.id, s1.signalId));
    const r = await verifyStoredChain(p.id);
    expect(summary(r)).toEqual(["1:state"]);
    expect(r.problems[0]!.message).toMatch(/Signal #1: stored initial stop "64000" differs from the chain's "63000"/);

    await db.update(signals).set({ initialStop: "63000", stopLoss: "62000" }).where(eq(signals.id, s1.signalId));
    expect(summary(await verifyStoredChain(p.id))).toEqual(["1:state"]);
  });

  it("reports a deleted event as a gap and a rewritten hash as a broken link", async () => {
    const { p } = await threeEntries();
    await db.execute(sql`update signal_events set hash = ${"e".repeat(64)} where seq = 1 and provider_id = ${p.id}`);
    expect(summary(await verifyStoredChain(p.id))).toEqual(["1:hash", "1:state", "2:link"]);
    await db.execute(sql`delete from signal_events where seq = 2 and provider_id = ${p.id}`);
    const r = await verifyStoredChain(p.id);
    expect(summary(r)).toEqual(["0:state", "1:hash", "1:state", "3:sequence", "3:link"]);
    expect(r.problems[0]!.message).toBe("Signal #2: the chain has no published entry for it");
  });
});

describe("getPublicChain", () => {
  it("withholds data and nonce of open signals and reveals them once closed", async () => {
    const p = await newProvider();
    const s1 = await db.transaction((tx) => publish(tx, p.id, 1));
    const s2 = await db.transaction((tx) => publish(tx, p.id, 2, "pending"));
    await close(p.id, s1.signalId, at(30));
    await db.transaction((tx) => publish(tx, p.id, 3));

    const chain = await getPublicChain(p.slug);
    expect(chain.provider).toEqual({ slug: p.slug, displayName: p.displayName });
    expect(chain.entries.map((e) => [e.seq, e.kind, e.data === null, e.nonce === null])).toEqual([
      [1, "published", false, false],
      [2, "published", true, true],
      [3, "closed", false, false],
      [4, "published", true, true],
    ]);
    expect(chain.entries[1]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(chain.entries[1]!.signalId).toBe(s2.signalId);
    expect(chain.signals.map((s) => s.id)).toEqual([s1.signalId]);
    expect(chain.signals[0]).toMatchObject({ status: "closed", publishedAt: at(1).toISOString(), closedAt: at(30).toISOString(), exitPrice: "69000" });

    // What the browser does with it: JSON over the wire, then both checks.
    const wire = JSON.parse(JSON.stringify(chain)) as typeof chain;
    expect(await verifyChain(wire.entries)).toMatchObject({ ok: true, checked: 4, hidden: 2 });
    expect(checkSignalStates(wire.signals, wire.entries)).toEqual([]);

    await close(p.id, s2.signalId, at(40), "66000");
    const later = await getPublicChain(p.slug);
    expect(later.entries.filter((e) => e.data === null).map((e) => e.seq)).toEqual([4]);
    expect(later.entries[1]!.data).toMatchObject({ symbol: "BTC/USDT", stopLoss: "63000", entryPrice: "65000.50" });
    expect(await verifyChain(later.entries)).toMatchObject({ ok: true, checked: 5, hidden: 1 });
    expect(checkSignalStates(later.signals, later.entries)).toEqual([]);

    // A row changed after the fact shows up in the public check too.
    await db.update(signals).set({ exitPrice: "75000" }).where(eq(signals.id, s2.signalId));
    const tampered = await getPublicChain(p.slug);
    expect(checkSignalStates(tampered.signals, tampered.entries).map((x) => `${x.seq}:${x.check}`)).toEqual(["5:state"]);
  });

  it("serves an empty chain for a provider without signals and NotFoundError for an unknown slug", async () => {
    const p = await newProvider();
    expect(await getPublicChain(p.slug)).toEqual({ provider: { slug: p.slug, displayName: p.displayName }, entries: [], signals: [] });
    await expect(getPublicChain("nobody-here")).rejects.toBeInstanceOf(NotFoundError);
  });
});
