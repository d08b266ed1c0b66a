/**
 * Rate limits: a budget of attempts per key (an address, an account, a provider) in a fixed window, and
 * progressive delays (a wait that doubles with each failure, for sign-in per account).
 *
 * Where a limit keeps its counts is chosen once per limit, in `LIMITS`. Anything that guards accounts, sign-ups
 * or email is counted in the shared store ("database" in `LIMITS`), so every replica sees the same counts and a
 * restart hands out no fresh budget; process memory only where a shared round trip would cost more than the limit
 * protects.
 *
 * The shared store is Redis when REDIS_URL is set, the database otherwise. Both are atomic under concurrency:
 * - Redis: one Lua script per operation (take, refund, takeWithBackoff, forgive), so a count and its expiry
 *   change together and racing replicas cannot both take the last point; the scripts read Redis's clock, so
 *   replicas whose clocks drift apart still agree on when a window ends. One client per process, on globalThis.
 *   rate-limiter-flexible's RateLimiterRedis would cover the plain windows, but not the progressive delay, and
 *   one store written one way is easier to reason about than two.
 * - Database: one upsert per attempt (`insert … on conflict (name, key) do update … returning`), on PostgreSQL
 *   and PGlite alike. rate-limiter-flexible's own Drizzle store works on both too, but it loads drizzle-orm
 *   through a computed `import()` that the Next.js bundler cannot follow, and its one-column key has no room for
 *   a progressive delay; its memory store is kept for the in-process limits.
 * Keys are stored hashed in both.
 */
import "server-only";
import { createHash } from "node:crypto";
import { and, eq, lt, sql, type SQL } from "drizzle-orm";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { Redis } from "ioredis";
import { env } from "@/env";
import { db, getDatabase } from "@/server/db";
import { rateLimits } from "@/server/db/schema";
import { LimitExceededError } from "@/server/errors";
import { logger } from "@/server/logger";

/** "database": the shared store (Redis when REDIS_URL is set, else the database); "memory": this process only. */
type Store = "database" | "memory";

/**
 * Every limit the app enforces and where its counts live (budgets sit with the callers: `consume`, `rateLimit`).
 * A new limit must be added here, which makes its store a decision rather than a default.
 */
export const LIMITS = {
  /** Failed sign-ins per client address (or shared by all callers without one), across accounts. */
  "sign-in-ip": "database",
  /** Failed sign-ins per account: a progressive delay (`takeWithBackoff`), not a window. */
  "sign-in-account": "database",
  /** Failed sign-ins per known browser and account (a delay too): a known browser's failures, apart from the account's. */
  "sign-in-device": "database",
  "sign-up": "database",
  "verify-email": "database",
  "resend-verification": "database",
  "password-reset": "database",
  "password-reset-confirm": "database",
  "billing.onboarding": "database",
  "billing.price": "database",
  "billing.checkout": "database",
  "billing.manage": "database",
  "billing.portal": "database",
  /** Exchange connections added per user (each one calls the exchange with the key). */
  "exchange-connection-create": "database",
  /** "Get the weekly digest" requests per client address, and per email address asked for (each sends an email). */
  "digest-subscribe-ip": "database",
  "digest-subscribe-email": "database",
  // Issue 17 (account security). Wrong two-factor codes per account and per address (sign-in, step-up, disabling).
  "totp-account": "database",
  "totp-ip": "database",
  /** Two-factor enrolments started (each makes a secret and a QR code). */
  "two-factor-enrol": "database",
  "api-key-create": "database",
  "account-export": "database",
  "account-delete": "database",
  "sessions-revoke": "database",
  /** Every tRPC mutation, per signed-in account and per client address (a floor under the per-action limits). */
  "mutation-account": "database",
  "mutation-ip": "database",
  /** REST writes (POST/PATCH/DELETE /api/v1/…) per API key and per address. */
  "rest-write-key": "database",
  "rest-write-ip": "database",
  /** TradingView alerts per webhook token (TradingView sends everyone's alerts from four addresses). */
  "tradingview-token": "database",
  // A provider's own publishing quota, counted per replica (so N replicas allow up to N times the quota): it is
  // taken on every TradingView alert, the webhook's hot path, whose throughput budget a database round trip would
  // break. It guards no account and no one else's data; the provider is already authenticated by its token.
  "publish-signal": "memory",
} as const satisfies Record<string, Store>;

export type LimitName = keyof typeof LIMITS;

/**
 * The limits that let requests through when the shared store does not answer (a Redis outage), each refusal-free
 * pass logged (at most once a minute per limit). These are floors against floods, guarding no account: failing
 * them closed would turn an outage of the counter into an outage of every write, sign-in included, and lose
 * TradingView alerts (never retried). Every other shared limit fails closed (the request fails, 500): the ones
 * guarding accounts (sign-in, two-factor codes, sign-up, password reset, verification, step-up, deletion) must not
 * hand out unlimited guesses while the store is down.
 */
export const FAIL_OPEN_LIMITS: ReadonlySet<LimitName> = new Set<LimitName>(["mutation-account", "mutation-ip", "rest-write-key", "rest-write-ip", "tradingview-token"]);

const FAIL_OPEN_LOG_EVERY_MS = 60_000;
const lastFailOpenLog = new Map<LimitName, number>();

/** Runs a shared-store operation under `name`'s failure policy: rethrown (fail closed) or logged and `fallback`. */
async function underFailurePolicy<T>(name: LimitName, op: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (!FAIL_OPEN_LIMITS.has(name)) throw err;
    const now = Date.now();
    if (now - (lastFailOpenLog.get(name) ?? 0) >= FAIL_OPEN_LOG_EVERY_MS) {
      lastFailOpenLog.set(name, now);
      logger.warn({ err, limit: name }, "rate-limit store unavailable: letting requests through unlimited (fail-open limit)");
    }
    return fallback;
  }
}

const memoryLimiters = new Map<string, RateLimiterMemory>();

function memoryLimiter(name: string, points: number, durationSec: number) {
  let l = memoryLimiters.get(name);
  if (!l) {
    l = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSec });
    memoryLimiters.set(name, l);
  }
  return l;
}

/** "12 seconds", "15 minutes": how long a refused caller waits, for people. */
export function waitPhrase(ms: number): string {
  const sec = Math.max(1, Math.ceil(ms / 1000));
  if (sec < 120) return `${sec} second${sec === 1 ? "" : "s"}`;
  return `${Math.ceil(sec / 60)} minutes`;
}

/** Seconds for a Retry-After header: whole, and at least 1. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

function exceeded(ms: number): LimitExceededError {
  return new LimitExceededError(`Too many attempts. Try again in ${waitPhrase(ms)}.`, ms);
}

/** Stored keys are hashes: the table must not become a list of emails and addresses, and keys stay short. */
const storedKey = (key: string) => createHash("sha256").update(key).digest("base64url");
const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** Takes one point of `name`'s budget for `key`; throws LimitExceededError (nothing counted) when none is left. */
export async function consume(name: LimitName, key: string, points: number, durationSec: number): Promise<void> {
  const refused = await take(name, key, points, durationSec);
  if (refused) throw exceeded(refused.retryAfterMs);
}

/** `consume` for callers that word their own refusal: null when a point was taken, else how long to wait. */
export async function take(name: LimitName, key: string, points: number, durationSec: number): Promise<{ retryAfterMs: number } | null> {
  if (LIMITS[name] === "memory") {
    try {
      await memoryLimiter(name, points, durationSec).consume(key);
      return null;
    } catch (err) {
      if (err instanceof RateLimiterRes) return { retryAfterMs: err.msBeforeNext };
      throw err;
    }
  }
  return underFailurePolicy(name, () => sharedStore().take(name, key, points, durationSec), null);
}

async function databaseTake(name: LimitName, key: string, points: number, durationSec: number): Promise<{ retryAfterMs: number } | null> {
  const { db: client } = await getDatabase();
  const now = new Date();
  const k = storedKey(key);
  const expired = sql`${rateLimits.expiresAt} <= ${at(now)}`;
  const [taken] = await client
    .insert(rateLimits)
    .values({ name, key: k, points: 1, expiresAt: new Date(now.getTime() + durationSec * 1000) })
    .onConflictDoUpdate({
      target: [rateLimits.name, rateLimits.key],
      set: {
        points: sql`case when ${expired} then 1 else ${rateLimits.points} + 1 end`,
        expiresAt: sql`case when ${expired} then excluded.expires_at else ${rateLimits.expiresAt} end`,
      },
      // A refused attempt changes nothing (and returns no row), so a later refund gives back a point really taken.
      setWhere: sql`${expired} or ${rateLimits.points} < ${points}`,
    })
    .returning({ points: rateLimits.points });
  sweepNowAndThen(now);
  if (taken) return null;
  const [row] = await client
    .select({ expiresAt: rateLimits.expiresAt })
    .from(rateLimits)
    .where(and(eq(rateLimits.name, name), eq(rateLimits.key, k)));
  return { retryAfterMs: row ? row.expiresAt.getTime() - now.getTime() : durationSec * 1000 };
}

/** Gives back a point `consume` took for an attempt that turned out not to count (a repeat, a success). */
export async function refund(name: LimitName, key: string, points = 1): Promise<void> {
  if (LIMITS[name] === "memory") {
    await memoryLimiters.get(name)?.reward(key, points);
    return;
  }
  return underFailurePolicy(name, () => sharedStore().refund(name, key, points), undefined);
}

async function databaseRefund(name: LimitName, key: string, points: number): Promise<void> {
  const { db: client } = await getDatabase();
  await client
    .update(rateLimits)
    .set({ points: sql`greatest(${rateLimits.points} - ${points}, 0)` })
    .where(and(eq(rateLimits.name, name), eq(rateLimits.key, storedKey(key)), sql`${rateLimits.expiresAt} > ${at(new Date())}`));
}

/** A progressive delay: free failures, then a wait that doubles with each further one, up to a cap. */
export interface Backoff {
  /** Failures that cost no wait. */
  free: number;
  /** The wait after the first failure past `free`; each further failure doubles it. */
  baseSec: number;
  capSec: number;
  /** Failures are forgotten this long after the last one. */
  forgetAfterSec: number;
}

/**
 * Starts an attempt under a progressive delay. While an earlier failure's wait runs the attempt is refused and
 * nothing is counted. Otherwise it is counted as a failure in advance and the wait it would impose is set at
 * once, in the same statement, so attempts racing in together cannot all slip through before the first fails;
 * `forgive` undoes the count for an attempt that succeeded.
 */
export async function takeWithBackoff(name: LimitName, key: string, policy: Backoff): Promise<{ retryAfterMs: number } | null> {
  if (LIMITS[name] !== "database") throw new Error(`Limit "${name}" is not kept in the shared store; a delay needs it`);
  return sharedStore().takeWithBackoff(name, key, policy);
}

async function databaseTakeWithBackoff(name: LimitName, key: string, policy: Backoff): Promise<{ retryAfterMs: number } | null> {
  const { db: client } = await getDatabase();
  const now = new Date();
  const k = storedKey(key);
  const forgotten = sql`${rateLimits.expiresAt} <= ${at(now)}`;
  const failures = sql`(case when ${forgotten} then 1 else ${rateLimits.points} + 1 end)`;
  // Exponent capped before power() so a long siege cannot overflow it; the wait itself is capped by capSec.
  const waitAfter = (n: SQL) =>
    sql`case when ${n} > ${policy.free} then ${at(now)} + interval '1 second' * least(${policy.baseSec}::float8 * power(2, least(${n} - ${policy.free} - 1, 40)), ${policy.capSec}::float8) else null end`;
  const [taken] = await client
    .insert(rateLimits)
    .values({
      name,
      key: k,
      points: 1,
      expiresAt: new Date(now.getTime() + policy.forgetAfterSec * 1000),
      blockedUntil: policy.free >= 1 ? null : new Date(now.getTime() + policy.baseSec * 1000),
    })
    .onConflictDoUpdate({
      target: [rateLimits.name, rateLimits.key],
      set: { points: failures, expiresAt: sql`excluded.expires_at`, blockedUntil: waitAfter(failures) },
      setWhere: sql`${rateLimits.blockedUntil} is null or ${rateLimits.blockedUntil} <= ${at(now)}`,
    })
    .returning({ points: rateLimits.points });
  sweepNowAndThen(now);
  if (taken) return null;
  const [row] = await client
    .select({ blockedUntil: rateLimits.blockedUntil })
    .from(rateLimits)
    .where(and(eq(rateLimits.name, name), eq(rateLimits.key, k)));
  return { retryAfterMs: row?.blockedUntil ? row.blockedUntil.getTime() - now.getTime() : 1000 };
}

/** Forgets `key`'s count under `name` (a delayed attempt that succeeded). */
export async function forgive(name: LimitName, key: string): Promise<void> {
  return sharedStore().forgive(name, key);
}

async function databaseForgive(name: LimitName, key: string): Promise<void> {
  const { db: client } = await getDatabase();
  await client.delete(rateLimits).where(and(eq(rateLimits.name, name), eq(rateLimits.key, storedKey(key))));
}

const SWEEP_EVERY_MS = 10 * 60 * 1000;
let lastSweep = 0;

/** Deletes dead windows now and then (at most every 10 minutes per process), off the caller's path. */
function sweepNowAndThen(now: Date): void {
  if (now.getTime() - lastSweep < SWEEP_EVERY_MS) return;
  lastSweep = now.getTime();
  void getDatabase()
    .then(({ db: client }) => client.delete(rateLimits).where(lt(rateLimits.expiresAt, now)))
    .catch((err: unknown) => logger.warn({ err }, "rate-limit sweep failed"));
}

/**
 * Forgets every count, in memory, in Redis (when REDIS_URL is set) and in the database (tests: to start clean, or
 * to lift the limits so every input reaches validation). The in-memory part is cleared at once; await the result
 * for the shared stores.
 */
export async function resetRateLimits(): Promise<void> {
  memoryLimiters.clear();
  if (env.REDIS_URL) await sharedStore().reset();
  let clear: PromiseLike<unknown>;
  try {
    clear = db.delete(rateLimits);
  } catch {
    return; // no database opened (a unit test): nothing is stored there, and this must not open one
  }
  await clear;
}

/** Where the "database" limits keep their counts: the operations the shared store offers. */
export interface SharedStore {
  take(name: LimitName, key: string, points: number, durationSec: number): Promise<{ retryAfterMs: number } | null>;
  refund(name: LimitName, key: string, points: number): Promise<void>;
  takeWithBackoff(name: LimitName, key: string, policy: Backoff): Promise<{ retryAfterMs: number } | null>;
  forgive(name: LimitName, key: string): Promise<void>;
  /** Forgets every count this store holds. */
  reset(): Promise<void>;
}

const databaseStore: SharedStore = {
  take: databaseTake,
  refund: databaseRefund,
  takeWithBackoff: databaseTakeWithBackoff,
  forgive: databaseForgive,
  reset: async () => {
    await db.delete(rateLimits);
  },
};

/**
 * Redis scripts. Each runs atomically; KEYS[1] is the limit's key. Replies are integers: -1 when a point was taken,
 * else the milliseconds to wait.
 */
const TAKE_LUA = `
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= limit then
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[1], ttl)
    left = ttl
  end
  return left
end
n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return -1`;

// A refund never outlives the window: KEEPTTL keeps its end where the first point set it.
const REFUND_LUA = `
local n = redis.call('GET', KEYS[1])
if not n then return 0 end
local v = tonumber(n) - tonumber(ARGV[1])
if v < 0 then v = 0 end
redis.call('SET', KEYS[1], v, 'KEEPTTL')
return 1`;

// The database version's rules: refused (nothing counted) while a wait runs; otherwise counted in advance with its
// wait set at once; forgotten forgetAfterSec after the last counted failure. The exponent is capped as there.
const BACKOFF_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local free = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local forget = tonumber(ARGV[4])
local blocked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if blocked > now then return blocked - now end
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
local wait = 0
if n > free then wait = math.floor(math.min(base * 2 ^ math.min(n - free - 1, 40), cap) * 1000) end
local untilMs = 0
if wait > 0 then untilMs = now + wait end
redis.call('HSET', KEYS[1], 'until', untilMs)
redis.call('PEXPIRE', KEYS[1], math.max(forget * 1000, wait))
return -1`;

interface LimitScripts {
  rlTake(key: string, points: number, ttlMs: number): Promise<number>;
  rlRefund(key: string, points: number): Promise<number>;
  rlBackoff(key: string, free: number, baseSec: number, capSec: number, forgetAfterSec: number): Promise<number>;
}

/** The prefix every key of the Redis store starts with (another app may share the Redis). */
export const REDIS_PREFIX = "tradsy:rl:";

/**
 * A shared store on `client`, its keys under `prefix`. The app makes one (`sharedStore`); tests make their own to
 * try the store without setting REDIS_URL for the whole process.
 */
export function createRedisStore(client: Redis, prefix = REDIS_PREFIX): SharedStore {
  const scripts = client as Redis & LimitScripts;
  // defineCommand sends EVALSHA, and the script itself only when Redis does not have it yet.
  if (!("rlTake" in client)) {
    client.defineCommand("rlTake", { numberOfKeys: 1, lua: TAKE_LUA });
    client.defineCommand("rlRefund", { numberOfKeys: 1, lua: REFUND_LUA });
    client.defineCommand("rlBackoff", { numberOfKeys: 1, lua: BACKOFF_LUA });
  }
  // Windows and delays apart ("w"/"d"), as a limit is used one way only; `forgive` clears both.
  const keyOf = (kind: "w" | "d", name: LimitName, key: string) => `${prefix}${kind}:${name}:${storedKey(key)}`;
  const answer = (reply: number) => (reply < 0 ? null : { retryAfterMs: Math.max(1, reply) });
  return {
    async take(name, key, points, durationSec) {
      return answer(await scripts.rlTake(keyOf("w", name, key), points, Math.max(1, Math.round(durationSec * 1000))));
    },
    async refund(name, key, points) {
      await scripts.rlRefund(keyOf("w", name, key), points);
    },
    async takeWithBackoff(name, key, policy) {
      return answer(await scripts.rlBackoff(keyOf("d", name, key), policy.free, policy.baseSec, policy.capSec, policy.forgetAfterSec));
    },
    async forgive(name, key) {
      await client.del(keyOf("w", name, key), keyOf("d", name, key));
    },
    async reset() {
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        cursor = next;
        if (keys.length) await client.del(...keys);
      } while (cursor !== "0");
    },
  };
}

const g = globalThis as unknown as { __tradsyRedisLimits?: SharedStore; __tradsyTestStore?: SharedStore };

/**
 * Tests: puts `store` in place of the process's shared store (null: back to REDIS_URL or the database), e.g. a
 * Redis store on a closed port to see which limits fail open. Also forgets when a fail-open pass was last logged.
 */
export function replaceSharedStoreForTests(store: SharedStore | null): void {
  g.__tradsyTestStore = store ?? undefined;
  lastFailOpenLog.clear();
}

/**
 * The process's shared store: Redis when REDIS_URL is set (one client per process, kept on globalThis across hot
 * reloads and the server's bundles), else the database. A Redis that does not answer fails the request (500)
 * rather than letting it through unlimited or counting it apart from the other replicas, except for the floors in
 * FAIL_OPEN_LIMITS, which let it through (logged).
 */
function sharedStore(): SharedStore {
  if (g.__tradsyTestStore) return g.__tradsyTestStore;
  if (!env.REDIS_URL) return databaseStore;
  if (!g.__tradsyRedisLimits) {
    const client = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
    client.on("error", (err: unknown) => logger.warn({ err }, "rate-limit Redis connection error"));
    g.__tradsyRedisLimits = createRedisStore(client);
  }
  return g.__tradsyRedisLimits;
}
