import { describe, expect, it, vi } from "vitest";
import {
  CHECK_LABELS,
  GENESIS_HASH,
  canonicalJson,
  checkSignalStates,
  hashEntry,
  isIsoUtc,
  newNonce,
  publishedEventData,
  verifyChain,
  type ChainEntry,
  type HashedChainEntry,
  type SignalStateView,
} from "./index";

/**
 * Pinned with an independent implementation (node:crypto + canonicalize), not with this module:
 *   node -e 'import("canonicalize").then(({default: c}) => console.log(require("node:crypto")
 *     .createHash("sha256").update(c(ENTRY)).digest("hex")))'
 */
const VECTOR: ChainEntry = {
  seq: 1,
  kind: "published",
  signalId: "sig_test0000000000000001",
  at: "2026-11-21T06:30:00.000Z",
  data: {
    symbol: "BTC/USDT",
    side: "long",
    entryType: "limit",
    entryPrice: "65000.50",
    stop: "63000",
    takeProfits: [
      { price: "68000", share: "0.5" },
      { price: "70000", share: "0.5" },
    ],
    note: "Breakout retest — €",
  },
  nonce: "0123456789abcdef0123456789abcdef",
  prevHash: GENESIS_HASH,
};
const VECTOR_JCS =
  '{"at":"2026-11-21T06:30:00.000Z","data":{"entryPrice":"65000.50","entryType":"limit","note":"Breakout retest — €","side":"long","stop":"63000","symbol":"BTC/USDT","takeProfits":[{"price":"68000","share":"0.5"},{"price":"70000","share":"0.5"}]},"kind":"published","nonce":"0123456789abcdef0123456789abcdef","prevHash":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"signalId":"sig_test0000000000000001"}';
const VECTOR_HASH = "840371f6e67abc675a672c243e863c8df1c28828f484cfcc2472483e69d6b82e";

const T0 = Date.UTC(2026, 10, 21, 6, 30);

/** A valid chain of `n` entries over two signals, hashed with the module under test (anchored by the vector). */
async function buildChain(n: number, hide: number[] = []): Promise<HashedChainEntry[]> {
  const out: HashedChainEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const entry: ChainEntry = {
      seq,
      kind: seq <= 2 ? "published" : "stop_moved",
      signalId: seq % 2 ? "sig_a" : "sig_b",
      at: new Date(T0 + seq * 60_000).toISOString(),
      data: { symbol: "BTC/USDT", price: `${65000 + seq}.25`, nested: { levels: [seq, "0.5"] } },
      nonce: newNonce(),
      prevHash,
    };
    const hash = await hashEntry(entry);
    out.push({ ...entry, hash });
    prevHash = hash;
  }
  return out.map((e) => (hide.includes(e.seq) ? { ...e, data: null, nonce: null } : e));
}

const summary = (r: { problems: { seq: number; check: string }[] }) => r.problems.map((p) => `${p.seq}:${p.check}`);

describe("hashing", () => {
  it("encodes the seven fields as RFC 8785 JSON and matches an independently computed sha256", async () => {
    expect(canonicalJson(VECTOR)).toBe(VECTOR_JCS);
    expect(await hashEntry(VECTOR)).toBe(VECTOR_HASH);
  });

  it("ignores key order and any property outside the seven (such as the hash itself)", async () => {
    const shuffled = { prevHash: VECTOR.prevHash, nonce: VECTOR.nonce, data: { ...VECTOR.data }, at: VECTOR.at, signalId: VECTOR.signalId, kind: VECTOR.kind, seq: 1 };
    expect(await hashEntry(shuffled)).toBe(VECTOR_HASH);
    expect(await hashEntry({ ...VECTOR, hash: "f".repeat(64), extra: 1 } as ChainEntry)).toBe(VECTOR_HASH);
  });

  it("makes random 32-hex nonces and a 64-zero genesis", () => {
    expect(GENESIS_HASH).toBe("0".repeat(64));
    const nonces = new Set(Array.from({ length: 500 }, newNonce));
    expect(nonces.size).toBe(500);
    for (const n of nonces) expect(n).toMatch(/^[0-9a-f]{32}$/);
  });

  it("accepts only ISO-8601 UTC times with milliseconds", () => {
    expect(isIsoUtc("2026-11-21T06:30:00.000Z")).toBe(true);
    for (const bad of ["2026-11-21T06:30:00Z", "2026-11-21T06:30:00.000+00:00", "2026-02-30T00:00:00.000Z", "", 1, null]) {
      expect(isIsoUtc(bad)).toBe(false);
    }
  });
});

describe("verifyChain", () => {
  it("accepts an intact chain and reports its head", async () => {
    const chain = await buildChain(5);
    const r = await verifyChain(chain);
    expect(r).toEqual({ ok: true, checked: 5, hidden: 0, problems: [], head: chain[4]!.hash });
  });

  it("accepts an empty chain", async () => {
    expect(await verifyChain([])).toEqual({ ok: true, checked: 0, hidden: 0, problems: [], head: null });
  });

  const tampers: [string, (e: HashedChainEntry) => HashedChainEntry, string[]][] = [
    ["kind", (e) => ({ ...e, kind: "closed" }), ["3:hash"]],
    ["signalId", (e) => ({ ...e, signalId: "sig_other" }), ["3:hash"]],
    ["at (still well formed)", (e) => ({ ...e, at: "2026-11-21T06:29:59.999Z" }), ["3:hash"]],
    ["at (malformed)", (e) => ({ ...e, at: "2026-11-21 06:33" }), ["3:format", "3:hash"]],
    ["a nested data value", (e) => ({ ...e, data: { ...e.data, nested: { levels: [3, "0.50"] } } }), ["3:hash"]],
    ["a data key added", (e) => ({ ...e, data: { ...e.data, extra: "1" } }), ["3:hash"]],
    ["nonce", (e) => ({ ...e, nonce: "f".repeat(32) }), ["3:hash"]],
    ["prevHash", (e) => ({ ...e, prevHash: "a".repeat(64) }), ["3:link", "3:hash"]],
    ["hash", (e) => ({ ...e, hash: "b".repeat(64) }), ["3:hash", "4:link"]],
    ["seq", (e) => ({ ...e, seq: 9 }), ["9:sequence", "9:hash", "4:sequence"]],
  ];
  it.each(tampers)("locates a changed %s at the right seq", async (_field, change, expected) => {
    const chain = await buildChain(5);
    chain[2] = change(chain[2]!);
    const r = await verifyChain(chain);
    expect(r.ok).toBe(false);
    expect(summary(r).sort()).toEqual([...expected].sort());
  });

  it("reports a removed entry as a gap and a broken link", async () => {
    const chain = await buildChain(5);
    chain.splice(2, 1);
    const r = await verifyChain(chain);
    expect(summary(r)).toEqual(["4:sequence", "4:link"]);
    expect(r.problems[0]!.message).toBe("Entry 3 is missing (follows seq 2)");
  });

  it("reports reordered entries", async () => {
    const chain = await buildChain(5);
    [chain[1], chain[2]] = [chain[2]!, chain[1]!];
    const r = await verifyChain(chain);
    expect(summary(r)).toEqual(["3:sequence", "3:link", "2:sequence", "2:link", "4:sequence", "4:link"]);
    expect(r.problems.map((p) => p.message).filter((m) => !/prevHash/.test(m))).toEqual([
      "Entry 2 is missing (follows seq 1)",
      "Entry 2 is out of order or repeated (follows seq 3)",
      "Entry 3 is missing (follows seq 2)",
    ]);
  });

  it("requires the chain to start at seq 1 from the genesis hash", async () => {
    const chain = await buildChain(3);
    const r = await verifyChain(chain.slice(1));
    expect(summary(r)).toEqual(["2:sequence", "2:link"]);
    expect(r.problems[1]!.message).toMatch(/genesis/);
  });

  it("cannot see a dropped tail, which is why the page shows the head hash to compare with later", async () => {
    const chain = await buildChain(4);
    const r = await verifyChain(chain.slice(0, 3));
    expect(r.ok).toBe(true);
    expect(r.head).not.toBe(chain[3]!.hash);
  });

  it("counts hidden entries and checks only their link and format", async () => {
    const chain = await buildChain(5, [2, 4]);
    const r = await verifyChain(chain);
    expect(r).toMatchObject({ ok: true, checked: 5, hidden: 2, problems: [] });

    // A change inside a withheld entry is invisible until it is revealed; then its hash gives it away.
    const revealed = await buildChain(5);
    const hiddenTamper = chain.map((e) => (e.seq === 2 ? { ...e, kind: "closed" } : e));
    expect((await verifyChain(hiddenTamper)).ok).toBe(true);
    const afterReveal = revealed.map((e) => (e.seq === 2 ? { ...e, kind: "closed" } : e));
    expect(summary(await verifyChain(afterReveal))).toEqual(["2:hash"]);

    // Its hash is still chained: changing it breaks the next link.
    const hashChanged = chain.map((e) => (e.seq === 2 ? { ...e, hash: "c".repeat(64) } : e));
    expect(summary(await verifyChain(hashChanged))).toEqual(["3:link"]);
  });

  it("reports malformed fields without throwing", async () => {
    const chain = await buildChain(4);
    chain[0] = { ...chain[0]!, nonce: chain[0]!.nonce!.toUpperCase() };
    chain[1] = { ...chain[1]!, data: null };
    chain[2] = { ...chain[2]!, hash: "xyz" };
    chain[3] = { ...chain[3]!, seq: "4" as unknown as number, signalId: "" };
    const r = await verifyChain(chain);
    expect(summary(r)).toEqual([
      "1:format",
      "1:hash",
      "2:format",
      "3:format",
      "3:hash",
      "4:format",
      "4:format",
      "4:link",
      "4:hash",
    ]);
    expect(r.problems.find((p) => p.seq === 2)!.message).toMatch(/revealed together/);

    const garbage = await verifyChain([null, "x", 3] as unknown as HashedChainEntry[]);
    expect(garbage.ok).toBe(false);
    expect(new Set(garbage.problems.map((p) => p.seq))).toEqual(new Set([1, 2, 3]));
  });

  it("reports progress per batch up to the total", async () => {
    const chain = await buildChain(150);
    chain[139] = { ...chain[139]!, data: { tampered: true } };
    const onProgress = vi.fn();
    const r = await verifyChain(chain, { onProgress });
    expect(summary(r)).toEqual(["140:hash"]);
    expect(onProgress.mock.calls).toEqual([
      [64, 150],
      [128, 150],
      [150, 150],
    ]);
  });

  it("has a label for every check", () => {
    expect(Object.keys(CHECK_LABELS).sort()).toEqual(["format", "hash", "link", "sequence", "state"]);
  });
});

describe("checkSignalStates", () => {
  const at = (min: number) => new Date(T0 + min * 60_000);

  async function closedSignal() {
    const signal: SignalStateView = {
      id: "sig_1",
      number: 7,
      status: "closed",
      symbol: "BTC/USDT",
      side: "long",
      entryType: "limit",
      entryPrice: "65000.50",
      initialStop: "63000",
      stopLoss: "65000",
      takeProfits: [
        { price: "68000", share: "0.5" },
        { price: "70000", share: "0.5" },
      ],
      note: "Retest",
      source: "ui",
      publishedAt: at(0),
      expiresAt: null,
      filledAt: at(5),
      fillPrice: "65000.5",
      closedAt: at(30),
      exitPrice: "69000",
      exitReason: "target",
      remaining: "0",
      targetsHit: [0, 1],
      resultPct: "0.06",
      resultR: "2",
      prevHash: GENESIS_HASH,
      hash: "",
    };
    const specs: [string, number, Record<string, unknown>][] = [
      ["published", 0, publishedEventData({ ...signal, expiresAt: null })],
      ["filled", 5, { price: "65000.50" }],
      ["stop_moved", 10, { stopLoss: "65000" }],
      ["partial_close", 20, { price: "68000", share: "0.5", reason: "target", level: 1 }],
      ["closed", 30, { price: "70000", share: "0.5", reason: "target" }],
    ];
    const entries: HashedChainEntry[] = [];
    let prevHash = GENESIS_HASH;
    for (const [i, [kind, min, data]] of specs.entries()) {
      const e: ChainEntry = { seq: i + 1, kind, signalId: signal.id, at: at(min).toISOString(), data, nonce: newNonce(), prevHash };
      const hash = await hashEntry(e);
      entries.push({ ...e, hash });
      prevHash = hash;
    }
    signal.hash = entries[0]!.hash;
    return { signal, entries };
  }

  it("accepts rows that agree with their events (decimal strings compared by value)", async () => {
    const { signal, entries } = await closedSignal();
    expect((await verifyChain(entries)).ok).toBe(true);
    expect(checkSignalStates([signal], entries)).toEqual([]);
  });

  const changes: [string, Partial<SignalStateView>, number, RegExp][] = [
    ["symbol", { symbol: "ETH/USDT" }, 1, /symbol/],
    ["side", { side: "short" }, 1, /side/],
    ["entry price", { entryPrice: "64000" }, 1, /entry price/],
    ["initial stop", { initialStop: "62000" }, 1, /initial stop/],
    ["take-profits", { takeProfits: [{ price: "68000", share: "1" }] }, 1, /take-profits/],
    ["note", { note: "edited" }, 1, /note/],
    ["source", { source: "tradingview" }, 1, /source/],
    ["publication time", { publishedAt: at(-60) }, 1, /publication time/],
    ["hash", { hash: "d".repeat(64) }, 1, /stored hash/],
    ["fill price", { fillPrice: "64000" }, 2, /fill price/],
    ["stop-loss", { stopLoss: "64000" }, 3, /stop-loss/],
    ["targets hit", { targetsHit: [1] }, 4, /take-profit 1/],
    ["status", { status: "cancelled" }, 5, /status/],
    ["close time", { closedAt: at(31) }, 5, /close time/],
    ["exit price", { exitPrice: "69500" }, 5, /exit price/],
    ["exit reason", { exitReason: "stop" }, 5, /exit reason/],
    ["remaining", { remaining: "0.5" }, 5, /remaining/],
  ];
  it.each(changes)("reports a changed %s at the entry that records it", async (_name, change, seq, message) => {
    const { signal, entries } = await closedSignal();
    const problems = checkSignalStates([{ ...signal, ...change }], entries);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ seq, check: "state" });
    expect(problems[0]!.message).toMatch(message);
    expect(problems[0]!.message).toMatch(/^Signal #7: /);
  });

  it("reads `stop` as a synonym of `stopLoss` and compares decimals by value", async () => {
    const { signal, entries } = await closedSignal();
    const legacy = entries.map((e) => {
      if (!e.data) return e;
      const { stopLoss, ...rest } = e.data;
      return stopLoss === undefined ? e : { ...e, data: { ...rest, stop: stopLoss } };
    });
    expect(checkSignalStates([signal], legacy)).toEqual([]);
    expect(checkSignalStates([{ ...signal, entryPrice: "65000.500", stopLoss: "65000.0" }], entries)).toEqual([]);
  });

  it("requires the published entry to record the stop", async () => {
    const { signal, entries } = await closedSignal();
    const { stopLoss: _dropped, ...rest } = entries[0]!.data!;
    const problems = checkSignalStates([signal], [{ ...entries[0]!, data: rest }, ...entries.slice(1)]);
    expect(problems.map((p) => `${p.seq}:${p.check}`)).toContain("1:state");
  });

  it("checks a cancelled pending signal's status and time", async () => {
    const { signal, entries } = await closedSignal();
    const published = entries[0]!;
    const cancel: ChainEntry = { seq: 2, kind: "cancelled", signalId: signal.id, at: at(3).toISOString(), data: { reason: "provider" }, nonce: newNonce(), prevHash: published.hash };
    const chain = [published, { ...cancel, hash: await hashEntry(cancel) }];
    const row = { ...signal, status: "cancelled", stopLoss: "63000", filledAt: null, fillPrice: null, closedAt: at(3), exitPrice: null, exitReason: "cancelled", remaining: "1", targetsHit: [], resultPct: null, resultR: null };
    expect(checkSignalStates([row], chain)).toEqual([]);
    // A cancelled limit never filled and has no result.
    expect(checkSignalStates([{ ...row, resultPct: "0.06" }], chain).map((p) => `${p.seq}:${p.message}`)).toEqual(['2:Signal #7: stored result "0.06" although the chain records it cancelled, not closed']);
    expect(checkSignalStates([{ ...row, fillPrice: "65000.5" }], chain)[0]!.message).toMatch(/no fill/);
    expect(checkSignalStates([{ ...row, status: "open" }], chain).map((p) => p.seq)).toEqual([2]);
    expect(checkSignalStates([{ ...row, closedAt: at(4) }], chain)[0]!.message).toMatch(/close time/);
  });

  it("reports a row marked closed that the chain never closed", async () => {
    const { signal, entries } = await closedSignal();
    const problems = checkSignalStates([signal], entries.slice(0, 4));
    expect(problems.map((p) => `${p.seq}:${p.check}`)).toContain("4:state");
    expect(problems.some((p) => /no closed entry/.test(p.message))).toBe(true);
  });

  it("reports a revealed entry with no stored signal and a signal with no published entry", async () => {
    const { signal, entries } = await closedSignal();
    expect(checkSignalStates([], entries).map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(checkSignalStates([signal], [])).toEqual([{ seq: 0, check: "state", message: "Signal #7: the chain has no published entry for it" }]);
  });

  it("ignores hidden entries of signals whose state is not published", async () => {
    const { entries } = await closedSignal();
    expect(checkSignalStates([], entries.map((e) => ({ ...e, data: null, nonce: null })))).toEqual([]);
  });
});
