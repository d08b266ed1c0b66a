/**
 * The tamper-evident track record: each provider's signals and their events form one sha256 hash chain.
 *
 * Entry n is `{ seq, kind, signalId, at, data, nonce, prevHash }` and `hash = sha256hex(JCS(entry))` (RFC 8785
 * canonical JSON, so any language can recompute it). The first entry links to `GENESIS_HASH`. Entries of signals
 * still open are published with `data` and `nonce` withheld (null): their hash already commits to them, and the
 * random nonce stops anyone from guessing withheld data by hashing candidates.
 *
 * Pure and isomorphic: the server appends and verifies with this module, the /providers/<slug>/verify page runs the
 * very same `verifyChain` in the browser. Hashing uses Web Crypto (globalThis.crypto in Node 20 and browsers).
 */
import canonicalize from "canonicalize";
import Decimal from "decimal.js";
import { randomBytes } from "@/lib/random";

export const GENESIS_HASH = "0".repeat(64);

export type ChainEntry = {
  seq: number;
  kind: string;
  signalId: string;
  at: string;
  data: Record<string, unknown> | null;
  nonce: string | null;
  prevHash: string;
};
export type HashedChainEntry = ChainEntry & { hash: string };

/**
 * hash: contents disagree with the stored hash; link: prevHash is not the previous entry's hash; sequence: seq does
 * not start at 1 or skips/repeats; format: a field is malformed; state: revealed data disagrees with the signal's
 * stored row (only `checkSignalStates` reports this one).
 */
export type ChainCheck = "hash" | "link" | "sequence" | "format" | "state";

export interface ChainProblem {
  /** Position in the chain the problem is found at; 0 for a stored signal that has no entry at all. */
  seq: number;
  check: ChainCheck;
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  /** Entries examined (revealed and hidden). */
  checked: number;
  /** Entries with data and nonce withheld: only their format and link could be checked. */
  hidden: number;
  problems: ChainProblem[];
  /** Hash of the last entry (what a later download must still contain), null for an empty chain. */
  head: string | null;
}

/** What `GET /api/v1/providers/<slug>/chain` returns. */
export interface PublicChain {
  provider: { slug: string; displayName: string };
  /** The whole chain in seq order; entries of pending/open signals have data and nonce null. */
  entries: HashedChainEntry[];
  /** Stored state of the signals whose entries are revealed, for `checkSignalStates`. */
  signals: SignalStateView[];
}

/** Labels people read on the verify page. */
export const CHECK_LABELS: Record<ChainCheck, string> = {
  hash: "Hash mismatch",
  link: "Broken link",
  sequence: "Gap in sequence",
  format: "Malformed entry",
  state: "Revealed data disagrees with the signal's stored state",
};

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** RFC 8785 canonical JSON of exactly the seven hashed fields (a `hash` or any other extra property is left out). */
export function canonicalJson(entry: ChainEntry): string {
  const { seq, kind, signalId, at, data, nonce, prevHash } = entry;
  const json = canonicalize({ seq, kind, signalId, at, data, nonce, prevHash });
  if (json === undefined) throw new TypeError("Chain entry cannot be encoded as JSON");
  return json;
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return toHex(new Uint8Array(digest));
}

/** Lower-case hex sha256 of the entry's canonical JSON. */
export async function hashEntry(entry: ChainEntry): Promise<string> {
  return sha256Hex(canonicalJson(entry));
}

/** 128 random bits as 32 hex characters. */
export function newNonce(): string {
  return toHex(randomBytes(16));
}

export function isHidden(entry: Pick<ChainEntry, "data" | "nonce">): boolean {
  return entry.data === null && entry.nonce === null;
}

/** `at` exactly as hashed: ISO-8601 UTC with milliseconds, and a real instant (no 2026-02-30). */
export function isIsoUtc(at: unknown): at is string {
  return typeof at === "string" && ISO_UTC_MS.test(at) && !Number.isNaN(Date.parse(at)) && new Date(at).toISOString() === at;
}

const short = (h: unknown) => (typeof h === "string" ? `${h.slice(0, 12)}…` : String(h));
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Format problems of one entry. Entries come from the network, so nothing about their types is trusted here. */
function formatProblems(e: HashedChainEntry, seq: number): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const bad = (message: string) => problems.push({ seq, check: "format", message });
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) bad(`seq must be a positive integer, found ${JSON.stringify(e.seq)}`);
  if (typeof e.kind !== "string" || !e.kind) bad("kind is missing");
  if (typeof e.signalId !== "string" || !e.signalId) bad("signalId is missing");
  if (!isIsoUtc(e.at)) bad(`at must be an ISO-8601 UTC time with milliseconds, found ${JSON.stringify(e.at)}`);
  if (typeof e.hash !== "string" || !HEX64.test(e.hash)) bad("hash must be 64 lower-case hex characters");
  if (typeof e.prevHash !== "string" || !HEX64.test(e.prevHash)) bad("prevHash must be 64 lower-case hex characters");
  if (!isHidden(e)) {
    if (e.data === null || e.nonce === null) bad("data and nonce must be revealed together or withheld together");
    else {
      if (!isPlainObject(e.data)) bad("data must be a JSON object");
      if (typeof e.nonce !== "string" || !HEX32.test(e.nonce)) bad("nonce must be 32 lower-case hex characters");
    }
  }
  return problems;
}

/** How many entries are hashed concurrently; Web Crypto digests run off the main thread, so batching pays. */
const BATCH = 64;

/**
 * Recomputes a chain: seq starts at 1 and is contiguous, each prevHash is the previous entry's hash (the first the
 * genesis hash), each revealed entry's hash is the sha256 of its canonical JSON, and every field is well formed.
 * Hidden entries are counted and only format- and link-checked. Never throws on malformed input: every fault is a
 * problem located by seq. `onProgress` is called after each batch so a page can show how far it got.
 */
export async function verifyChain(
  entries: HashedChainEntry[],
  options: { onProgress?: (checked: number, total: number) => void } = {},
): Promise<ChainVerification> {
  const problems: ChainProblem[] = [];
  const total = entries.length;
  let hidden = 0;
  let prevHash = GENESIS_HASH;
  let expected = 1;

  for (let start = 0; start < total; start += BATCH) {
    // Anything that is not an object is checked as an empty entry: every field then reports itself missing.
    const batch = entries.slice(start, start + BATCH).map((e) => (isPlainObject(e) ? e : ({} as HashedChainEntry)));
    // A malformed but revealed entry is still hashed: the hash check then says whether the stored hash commits to it.
    const recomputed = await Promise.all(
      batch.map((e) => (e.data !== null && e.nonce !== null ? hashEntry(e).catch(() => null) : Promise.resolve(undefined))),
    );

    batch.forEach((e, i) => {
      const seq = Number.isSafeInteger(e.seq) ? e.seq : expected;
      if (isHidden(e)) hidden++;

      // Judged against the previous entry only, so one misplaced entry is reported where it is and not as the
      // start of a run of failures.
      if (seq !== expected) {
        const after = expected > 1 ? ` (follows seq ${expected - 1})` : "";
        problems.push({
          seq,
          check: "sequence",
          message:
            seq > expected
              ? seq - 1 === expected
                ? `Entry ${expected} is missing${after}`
                : `Entries ${expected} to ${seq - 1} are missing${after}`
              : `Entry ${seq} is out of order or repeated${after}`,
        });
      }
      expected = seq + 1;

      problems.push(...formatProblems(e, seq));

      if (e.prevHash !== prevHash) {
        problems.push({
          seq,
          check: "link",
          message:
            prevHash === GENESIS_HASH && start + i === 0
              ? `The first entry must link to the genesis hash (64 zeros), found ${short(e.prevHash)}`
              : `prevHash ${short(e.prevHash)} is not the previous entry's hash ${short(prevHash)}`,
        });
      }
      // Link to the stored hash, not the recomputed one: altered contents then show at their own seq only.
      prevHash = typeof e.hash === "string" ? e.hash : "";

      const actual = recomputed[i];
      if (actual === null) {
        problems.push({ seq, check: "hash", message: "The entry cannot be encoded as canonical JSON" });
      } else if (actual !== undefined && actual !== e.hash) {
        problems.push({ seq, check: "hash", message: `Contents don't match the stored hash: recomputed ${short(actual)}, stored ${short(e.hash)}` });
      }
    });
    options.onProgress?.(start + batch.length, total);
  }

  const last = entries[entries.length - 1];
  return { ok: problems.length === 0, checked: total, hidden, problems, head: last ? last.hash : null };
}

// ---------------------------------------------------------------------------------------------------------------
// Revealed data vs the signal rows the site shows.
//
// The chain only proves the events were not changed; the track record shown on the site is read from `signals`
// rows. `checkSignalStates` ties the two together, so changing a stored signal is caught as well as changing an
// event. The event data contract (prices, sizes and shares as decimal strings, times as ISO strings), as the
// signals service writes it:
//   published      { symbol, side, entryType, entryPrice, stopLoss, takeProfits: [{ price, share }],
//                    note?, source?, expiresAt?, number? }          (`publishedEventData` builds it)
//   filled         { price }                                        (market entries are filled at publication)
//   stop_moved     { stopLoss }
//   partial_close  { price, share, reason?, level? }                (level is 1-based into takeProfits)
//   closed         { price, share, reason?, exitPrice?, resultPct?, resultR? }
//   cancelled / expired: free-form
// Keys marked ? are checked when present, the others are required. `stop` is read as a synonym of `stopLoss`.
// Row times (publishedAt, filledAt, closedAt) must equal the entry's `at`. A market entry is filled at publication
// at its entry price; a limit entry has no fill until its `filled` entry. A live signal stores no exit fields; a
// cancelled or expired one no exit price or result. Take-profits stored as hit must be recorded as reached.
// ---------------------------------------------------------------------------------------------------------------

type Time = string | Date;

/** The stored state of one signal as the verifier sees it (the API sends revealed signals in this shape). */
export interface SignalStateView {
  id: string;
  number: number;
  status: string;
  symbol: string;
  side: string;
  entryType: string;
  entryPrice: string;
  initialStop: string | null;
  stopLoss: string | null;
  takeProfits: { price: string; share: string }[];
  note: string;
  source: string;
  publishedAt: Time;
  expiresAt: Time | null;
  filledAt: Time | null;
  fillPrice: string | null;
  closedAt: Time | null;
  exitPrice: string | null;
  exitReason: string | null;
  remaining: string;
  targetsHit: number[];
  resultPct: string | null;
  resultR: string | null;
  prevHash: string;
  hash: string;
}

/** The `data` of a `published` entry, built from the signal row being inserted so the two cannot drift. */
export function publishedEventData(signal: {
  number: number;
  symbol: string;
  side: string;
  entryType: string;
  entryPrice: string;
  initialStop: string | null;
  takeProfits: { price: string; share: string }[];
  note: string;
  source: string;
  expiresAt: Date | null;
}): Record<string, unknown> {
  return {
    number: signal.number,
    symbol: signal.symbol,
    side: signal.side,
    entryType: signal.entryType,
    entryPrice: signal.entryPrice,
    stopLoss: signal.initialStop,
    takeProfits: signal.takeProfits.map((t) => ({ price: t.price, share: t.share })),
    note: signal.note,
    source: signal.source,
    expiresAt: signal.expiresAt ? signal.expiresAt.toISOString() : null,
  };
}

/** The stop an entry's data records, or undefined when it carries none. */
function stopOf(d: Record<string, unknown>): unknown {
  if ("stopLoss" in d) return d.stopLoss;
  if ("stop" in d) return d.stop;
  return undefined;
}

function dec(v: unknown): Decimal | null {
  if (typeof v !== "string" && typeof v !== "number") return null;
  try {
    return new Decimal(v);
  } catch {
    return null;
  }
}

/** Decimal equality: "65000.50" equals "65000.5" (numeric columns and JSON strings may differ in trailing zeros). */
function sameDecimal(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  const x = dec(a);
  const y = dec(b);
  return x !== null && y !== null && x.eq(y);
}

function sameInstant(a: unknown, b: Time | null): boolean {
  if (a === null || a === undefined || b === null) return (a ?? null) === b;
  if (typeof a !== "string" && !(a instanceof Date)) return false;
  const x = new Date(a).getTime();
  return !Number.isNaN(x) && x === new Date(b).getTime();
}

function sameLevels(a: unknown, b: { price: string; share: string }[]): boolean {
  if (!Array.isArray(a) || a.length !== b.length) return false;
  return a.every((l: unknown, i) => isPlainObject(l) && sameDecimal(l.price, b[i]!.price) && sameDecimal(l.share, b[i]!.share));
}

const show = (v: unknown) => (v instanceof Date ? v.toISOString() : JSON.stringify(v ?? null));
const TERMINAL = new Set(["closed", "cancelled", "expired"]);

/**
 * Cross-checks each signal row against its revealed entries. Entries of signals not in `signals` are ignored when
 * hidden and reported when revealed (a revealed entry must belong to a signal whose state is published).
 */
export function checkSignalStates(signals: SignalStateView[], entries: HashedChainEntry[]): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const bySignal = new Map<string, HashedChainEntry[]>();
  for (const e of entries) {
    const list = bySignal.get(e.signalId) ?? [];
    list.push(e);
    bySignal.set(e.signalId, list);
  }
  const known = new Set(signals.map((s) => s.id));
  for (const e of entries) {
    if (!known.has(e.signalId) && !isHidden(e)) {
      problems.push({ seq: e.seq, check: "state", message: `Entry belongs to signal ${e.signalId}, which has no stored state` });
    }
  }

  for (const s of signals) {
    const own = (bySignal.get(s.id) ?? []).filter((e) => !isHidden(e)).sort((a, b) => a.seq - b.seq);
    const label = `Signal #${s.number}`;
    const report = (seq: number, message: string) => problems.push({ seq, check: "state", message: `${label}: ${message}` });
    const mismatch = (seq: number, field: string, stored: unknown, entry: unknown) =>
      report(seq, `stored ${field} ${show(stored)} differs from the chain's ${show(entry)}`);

    const first = own[0];
    if (!first || first.kind !== "published") {
      report(first?.seq ?? 0, "the chain has no published entry for it");
      continue;
    }
    const pub = first.data ?? {};
    if (first.hash !== s.hash || first.prevHash !== s.prevHash) report(first.seq, "the stored hash differs from its published entry");
    if (!sameInstant(first.at, s.publishedAt)) mismatch(first.seq, "publication time", s.publishedAt, first.at);
    for (const field of ["symbol", "side", "entryType"] as const) {
      if (pub[field] !== s[field]) mismatch(first.seq, field, s[field], pub[field]);
    }
    if (!sameDecimal(pub.entryPrice, s.entryPrice)) mismatch(first.seq, "entry price", s.entryPrice, pub.entryPrice);
    const initialStop = stopOf(pub);
    if (initialStop === undefined || !sameDecimal(initialStop, s.initialStop)) mismatch(first.seq, "initial stop", s.initialStop, initialStop);
    if (!sameLevels(pub.takeProfits, s.takeProfits)) mismatch(first.seq, "take-profits", s.takeProfits, pub.takeProfits);
    if ("number" in pub && pub.number !== s.number) mismatch(first.seq, "number", s.number, pub.number);
    if ("note" in pub && pub.note !== s.note) mismatch(first.seq, "note", s.note, pub.note);
    if ("source" in pub && pub.source !== s.source) mismatch(first.seq, "source", s.source, pub.source);
    if ("expiresAt" in pub && !sameInstant(pub.expiresAt, s.expiresAt)) mismatch(first.seq, "expiry", s.expiresAt, pub.expiresAt);

    let stop: unknown = initialStop;
    let stopKnown = true;
    let stopSeq = first.seq;
    let terminal: HashedChainEntry | undefined;
    let filled: HashedChainEntry | undefined;
    /** Take-profit indexes the chain records as reached. */
    const hits = new Set<number>();
    const legs: { price: unknown; share: unknown }[] = [];
    let partialShares = new Decimal(0);
    let sharesKnown = true;
    let lastPartialSeq = first.seq;

    for (const e of own.slice(1)) {
      const d = e.data ?? {};
      if (terminal) report(e.seq, `a ${e.kind} entry follows the ${terminal.kind} entry at seq ${terminal.seq}`);
      switch (e.kind) {
        case "published":
          report(e.seq, "published twice");
          break;
        case "filled":
          filled = e;
          if (s.status === "pending") report(e.seq, "stored as pending although the chain records a fill");
          if ("price" in d && !sameDecimal(d.price, s.fillPrice)) mismatch(e.seq, "fill price", s.fillPrice, d.price);
          if (!sameInstant(e.at, s.filledAt)) mismatch(e.seq, "fill time", s.filledAt, e.at);
          break;
        case "stop_moved":
          stopSeq = e.seq;
          if (stopOf(d) !== undefined) stop = stopOf(d);
          else stopKnown = false;
          break;
        case "partial_close": {
          lastPartialSeq = e.seq;
          legs.push({ price: d.price, share: d.share });
          const share = dec(d.share);
          if (share) partialShares = partialShares.plus(share);
          else sharesKnown = false;
          if (Number.isSafeInteger(d.level)) hits.add((d.level as number) - 1);
          if (Number.isSafeInteger(d.level) && !s.targetsHit.includes((d.level as number) - 1)) {
            report(e.seq, `take-profit ${String(d.level)} is recorded as hit but not stored as hit`);
          }
          break;
        }
        default:
          if (TERMINAL.has(e.kind)) {
            terminal = e;
            if (e.kind === "closed") {
              legs.push({ price: d.price, share: d.share });
              // A close at a target reaches that level (the lifecycle may store it as hit).
              if (d.reason === "target") s.takeProfits.forEach((tp, i) => sameDecimal(tp.price, d.price) && hits.add(i));
            }
          }
      }
    }

    const lastSeq = own[own.length - 1]!.seq;
    if (terminal) {
      if (s.status !== terminal.kind) mismatch(terminal.seq, "status", s.status, terminal.kind);
      if (!sameInstant(terminal.at, s.closedAt)) mismatch(terminal.seq, "close time", s.closedAt, terminal.at);
    } else if (s.status !== "pending" && s.status !== "open") {
      report(lastSeq, `stored as ${s.status} but the chain records no ${s.status} entry`);
    } else {
      // Still live: nothing about an exit may be stored yet.
      for (const [field, value] of [["close time", s.closedAt], ["exit price", s.exitPrice], ["exit reason", s.exitReason], ["result", s.resultPct], ["R multiple", s.resultR]] as const) {
        if (value !== null) report(lastSeq, `stored ${field} ${show(value)} although the chain records no close`);
      }
    }
    // A market entry fills at publication, at its entry price; a limit entry only through a `filled` entry.
    if (!filled && s.entryType === "market") {
      if (!terminal && s.status === "pending") report(first.seq, "a market entry is stored as pending");
      if (!sameDecimal(s.fillPrice, pub.entryPrice)) mismatch(first.seq, "fill price", s.fillPrice, pub.entryPrice);
      if (!sameInstant(first.at, s.filledAt)) mismatch(first.seq, "fill time", s.filledAt, first.at);
    } else if (!filled) {
      if (s.fillPrice !== null || s.filledAt !== null) report(first.seq, `stored as filled (${show(s.fillPrice)} at ${show(s.filledAt)}) but the chain records no fill`);
      if (!terminal && s.status === "open") report(lastSeq, "stored as open but the chain records no fill");
    }
    for (const i of s.targetsHit) {
      if (!hits.has(i)) report(lastSeq, `take-profit ${i + 1} is stored as hit but the chain records no hit`);
    }
    if (terminal && terminal.kind !== "closed") {
      const d = terminal.data ?? {};
      const reason = typeof d.reason === "string" ? d.reason : undefined;
      if (s.exitReason !== terminal.kind && s.exitReason !== reason) mismatch(terminal.seq, "exit reason", s.exitReason, terminal.kind);
      for (const [field, value] of [["exit price", s.exitPrice], ["result", s.resultPct], ["R multiple", s.resultR]] as const) {
        if (value !== null) report(terminal.seq, `stored ${field} ${show(value)} although the chain records it ${terminal.kind}, not closed`);
      }
    }
    if (stopKnown && !sameDecimal(stop, s.stopLoss)) mismatch(stopSeq, "stop-loss", s.stopLoss, stop);

    if (terminal?.kind === "closed") {
      const d = terminal.data ?? {};
      if (!sameDecimal(s.remaining, "0")) mismatch(terminal.seq, "remaining size", s.remaining, "0");
      for (const field of ["exitPrice", "resultPct", "resultR"] as const) {
        if (field in d && !sameDecimal(d[field], s[field])) mismatch(terminal.seq, field, s[field], d[field]);
      }
      const reason = "exitReason" in d ? d.exitReason : d.reason;
      if (reason !== undefined && reason !== s.exitReason) mismatch(terminal.seq, "exit reason", s.exitReason, reason);
      if (!("exitPrice" in d)) {
        const avg = averageOf(legs);
        // A stored average may be rounded to the market's precision; a change that matters to a track record is far
        // larger than one part in a million.
        if (avg && (s.exitPrice === null || !withinRelative(s.exitPrice, avg, "1e-6"))) {
          mismatch(terminal.seq, "exit price", s.exitPrice, avg.toString());
        }
      }
    } else if (sharesKnown && !sameDecimal(s.remaining, new Decimal(1).minus(partialShares).toString())) {
      mismatch(lastPartialSeq, "remaining size", s.remaining, new Decimal(1).minus(partialShares).toString());
    }
  }
  return problems.sort((a, b) => a.seq - b.seq);
}

/** Size-weighted average price of the closing legs, or null when any leg lacks a price or share. */
function averageOf(legs: { price: unknown; share: unknown }[]): Decimal | null {
  if (!legs.length) return null;
  let size = new Decimal(0);
  let value = new Decimal(0);
  for (const l of legs) {
    const p = dec(l.price);
    const q = dec(l.share);
    if (!p || !q) return null;
    size = size.plus(q);
    value = value.plus(p.times(q));
  }
  return size.isZero() ? null : value.div(size);
}

function withinRelative(stored: string, expected: Decimal, tolerance: string): boolean {
  const x = dec(stored);
  if (!x) return false;
  if (expected.isZero()) return x.isZero();
  return x.minus(expected).abs().div(expected.abs()).lte(tolerance);
}
