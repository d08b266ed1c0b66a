/**
 * Issue 9, acceptance 2: the TradingView webhook on a real `next start` over PostgreSQL, killed with SIGKILL in
 * the middle of a burst of valid alerts (10 at a time, 20 providers, while another connection keeps taking some
 * providers' rows as the price monitor does), restarted, and sent every alert again. Every alert must have
 * exactly one effect, and no redelivery may be refused: a delivery the dead server was processing is answered at
 * most with a retryable 503 until its claim lapses (the claim is the processing transaction; it ends when
 * PostgreSQL drops the dead connection, within the 2 s lock timeout at worst), then processed.
 *
 * Own server and own scratch database, beside the suite's embedded-database server. Needs the production build
 * and a PostgreSQL server (`E2E_DATABASE_URL`, default the local `postgres` database as admin).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { verifyChain, type PublicChain } from "../../src/lib/chain";
import { expect, test } from "../fixtures";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ADMIN_URL = process.env.E2E_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const PORT = 3201;
const BASE = `http://127.0.0.1:${PORT}`;
const PROVIDERS = 20;
const ALERTS = 500;
const CONCURRENCY = 10;

interface Answer {
  status: number;
  retryAfter: string | null;
  body: { action?: string; duplicate?: boolean; signal?: { id: string }; signals?: { id: string }[]; closed?: { id: string }[]; error?: { message: string } };
}

async function postgresAnswers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const dbUrl = (name: string) => ADMIN_URL.replace(/\/[^/?]+(\?|$)/, `/${name}$1`);

/** A new, migrated database for one test, dropped by the returned `drop`. */
async function scratchDatabase(name: string) {
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  const sql = postgres(dbUrl(name), { max: 4, onnotice: () => {} });
  await migrate(drizzle(sql), { migrationsFolder: path.join(ROOT, "drizzle") });
  return {
    sql,
    url: dbUrl(name),
    async drop() {
      await sql.end({ timeout: 1 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}

/** Inserts a provider user and its provider row with a webhook URL (only the token's sha256 is stored). */
async function insertProvider(sql: postgres.Sql, p: { userId: string; id: string; slug: string; token: string }) {
  await sql`insert into users (id, email, name, role) values (${p.userId}, ${`${p.slug}@example.com`}, ${p.slug}, 'provider')`;
  await sql`insert into providers (id, user_id, slug, display_name, webhook_token_hash)
    values (${p.id}, ${p.userId}, ${p.slug}, ${p.slug}, ${createHash("sha256").update(p.token).digest("hex")})`;
}

/** `next start` in its own process group, so SIGKILL reaches every process it started. */
function startServer(databaseUrl: string, extraEnv: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-p", String(PORT), "-H", "127.0.0.1"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      DATA_DIR: ".data/e2e-crash",
      APP_URL: BASE,
      AUTH_SECRET: "e2e-only-auth-secret-do-not-use-in-production-0000",
      ENCRYPTION_KEY: "0123456789abcdef".repeat(4),
      // Synthetic prices: the same everywhere, no recordings needed.
      MARKET_EXCHANGE: "none",
      MARKET_DATA_DIR: "",
      LOG_LEVEL: "warn",
      ...extraEnv,
    },
  });
}

async function untilReady(server: ChildProcess): Promise<void> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}`);
    try {
      const res = await fetch(`${BASE}/api/webhooks/tradingview/tv_readiness_probe_00000000`, { method: "POST", body: "{}" });
      if (res.status === 404) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("next start did not answer within 60 s");
}

async function kill(server: ChildProcess): Promise<void> {
  const exited = new Promise((r) => server.once("exit", r));
  process.kill(-server.pid!, "SIGKILL");
  await exited;
}

async function deliver(token: string, body: string): Promise<Answer> {
  const res = await fetch(`${BASE}/api/webhooks/tradingview/${token}`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Answer["body"] };
}

/** Runs `work` over `items`, `limit` at a time, in order of start. */
async function pool<T, R>(items: T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!, i);
      }
    }),
  );
  return results;
}

test.describe.configure({ mode: "serial" });

test("SIGKILL of next start mid-burst, restart, every alert redelivered: exactly one effect each, none refused", async () => {
  test.setTimeout(300_000);
  test.skip(!(await postgresAnswers(ADMIN_URL)), `no PostgreSQL at ${ADMIN_URL} (set E2E_DATABASE_URL)`);

  const scratch = await scratchDatabase(`tradsy_e2e_crash_${process.pid}`);
  const { sql } = scratch;
  let server: ChildProcess | undefined;
  let holderRunning = true;
  try {

    // 20 providers with webhook URLs (only the token's sha256 is stored, as the settings page does).
    const providers = Array.from({ length: PROVIDERS }, (_, i) => ({
      userId: `usr_crash${i}`,
      id: `prv_crash${i}`,
      slug: `crash-${i}`,
      token: `tv_${randomBytes(24).toString("base64url")}`,
    }));
    for (const p of providers) await insertProvider(sql, p);
    // Each provider alternates buy and sell on BTC/USDT: a buy closes a short or opens a long, a sell the mirror.
    const alerts = Array.from({ length: ALERTS }, (_, i) => {
      const p = providers[i % PROVIDERS]!;
      const n = Math.floor(i / PROVIDERS);
      return { provider: p, body: JSON.stringify({ ticker: "BTCUSDT", action: n % 2 ? "sell" : "buy", alert_id: `${p.slug}-${n}` }) };
    });

    server = startServer(scratch.url);
    let stderr = "";
    server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    await untilReady(server);

    // Another transaction takes a few providers' rows for a moment, again and again (the price monitor, a manual
    // close), so some alerts wait on the lock when the server dies.
    const holder = postgres(scratch.url, { max: 1, onnotice: () => {} });
    const holding = (async () => {
      for (let i = 0; holderRunning; i++) {
        const held = providers[i % 5]!.id;
        await holder.begin(async (tx) => {
          await tx`select id from providers where id = ${held} for no key update`;
          await new Promise((r) => setTimeout(r, 150));
        });
      }
    })();

    // The burst, killed once about a third of it has been answered.
    const first: (Answer | null)[] = new Array(ALERTS).fill(null);
    let answered = 0;
    let killed: Promise<void> | undefined;
    await pool(alerts, CONCURRENCY, async (a, i) => {
      if (killed) return;
      try {
        first[i] = await deliver(a.provider.token, a.body);
        if (++answered === Math.floor(ALERTS / 3) && !killed) killed = kill(server!);
      } catch {
        // cut off by the kill
      }
    });
    await killed;
    holderRunning = false;
    await holding;
    await holder.end({ timeout: 1 });
    const beforeKill = first.filter(Boolean) as Answer[];
    expect(beforeKill.length).toBeGreaterThanOrEqual(Math.floor(ALERTS / 3));
    expect(beforeKill.filter((a) => a.status >= 500 || a.status === 409), JSON.stringify(beforeKill.find((a) => a.status >= 500 || a.status === 409))).toEqual([]);

    // Restart, and deliver every alert again, as TradingView (after a 5xx or a timeout) and users would.
    server = startServer(scratch.url);
    server.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    await untilReady(server);
    const restarted = Date.now();
    let retries = 0;
    let lastRetryAt = restarted;
    const again = await pool(alerts, CONCURRENCY, async (a) => {
      let answer = await deliver(a.provider.token, a.body);
      for (let n = 0; answer.status === 503 && n < 10; n++) {
        // Retry-After is honoured, shortened so the test does not idle: TradingView itself resends 5 s apart.
        expect(answer.retryAfter).toBe("5");
        retries++;
        await new Promise((r) => setTimeout(r, 500));
        answer = await deliver(a.provider.token, a.body);
        lastRetryAt = Date.now();
      }
      return answer;
    });
    console.log(
      `killed with ${ALERTS - beforeKill.length} of ${ALERTS} alerts unanswered; redelivery: ${retries} retryable 503s, the last ${((lastRetryAt - restarted) / 1000).toFixed(1)} s after the restart`,
    );
    expect(again.filter((a) => a.status !== 200 && a.status !== 201), JSON.stringify(again.find((a) => a.status !== 200 && a.status !== 201))).toEqual([]);
    // What was answered before the kill is what is answered now, from the record.
    for (const [i, a] of first.entries()) {
      if (!a) continue;
      expect(again[i]!.body, `alert ${i}`).toMatchObject({ duplicate: true, action: a.body.action });
      const ids = (x: Answer) => [x.body.signal?.id, ...(x.body.signals ?? []).map((s) => s.id)];
      expect(ids(again[i]!), `alert ${i}`).toEqual(ids(a));
    }

    // Exactly one effect each: one recorded answer per alert; every signal is one answer's opening, and every
    // closed chain entry one answer's close.
    const deliveries = await sql<{ status: number }[]>`select status from webhook_deliveries`;
    expect(deliveries).toHaveLength(ALERTS);
    expect(deliveries.every((d) => d.status === 200 || d.status === 201)).toBe(true);
    const opened = again.filter((a) => a.body.action === "opened" || a.body.action === "reversed").map((a) => a.body.signal!.id);
    const closed = again.flatMap((a) => [...(a.body.signals ?? []), ...(a.body.closed ?? [])]).map((s) => s.id);
    expect(new Set(opened).size).toBe(opened.length);
    expect(new Set(closed).size).toBe(closed.length);
    const stored = await sql<{ id: string }[]>`select id from signals`;
    expect(stored.map((s) => s.id).sort()).toEqual([...opened].sort());
    const closes = await sql<{ signalId: string }[]>`select signal_id as "signalId" from signal_events where kind = 'closed'`;
    expect(closes.map((e) => e.signalId).sort()).toEqual([...closed].sort());
    const twoSides = await sql`select provider_id from signals where status = 'open' group by provider_id, symbol having count(distinct side) > 1`;
    expect(twoSides).toHaveLength(0);

    // Every provider's public chain verifies.
    for (const p of providers) {
      const chain = (await (await fetch(`${BASE}/api/v1/providers/${p.slug}/chain`)).json()) as PublicChain;
      const verdict = await verifyChain(chain.entries);
      expect(verdict.ok, `${p.slug}: ${JSON.stringify(verdict.problems.slice(0, 3))}`).toBe(true);
    }
    expect(stderr).not.toMatch(/Error:|TypeError|RangeError/);
  } finally {
    holderRunning = false;
    if (server && server.exitCode === null) await kill(server);
    await scratch.drop();
  }
});

test("1,000 buy and sell alerts racing on one provider and symbol over HTTP: no 5xx, the chain verifies", async () => {
  test.setTimeout(300_000);
  test.skip(!(await postgresAnswers(ADMIN_URL)), `no PostgreSQL at ${ADMIN_URL} (set E2E_DATABASE_URL)`);
  const scratch = await scratchDatabase(`tradsy_e2e_race_${process.pid}`);
  const { sql } = scratch;
  let server: ChildProcess | undefined;
  try {
    const token = `tv_${randomBytes(24).toString("base64url")}`;
    await insertProvider(sql, { userId: "usr_race", id: "prv_race", slug: "race", token });
    // The provider's publishing quota (30 a minute by default) and the per-token alert limit (120 a minute) would
    // refuse most of these 1,000 alerts: not what this is about.
    server = startServer(scratch.url, { SIGNAL_PUBLISH_LIMIT_PER_MINUTE: "100000", TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE: "1000000" });
    await untilReady(server);
    const answers = await pool(
      Array.from({ length: 1000 }, (_, i) => JSON.stringify({ ticker: "BTCUSDT", action: i % 2 ? "sell" : "buy", alert_id: `race-${i}` })),
      CONCURRENCY,
      (body) => deliver(token, body),
    );
    const statuses = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    console.log(`1,000 racing alerts: ${JSON.stringify(statuses)}`);
    expect(answers.filter((a) => a.status >= 500), JSON.stringify(answers.find((a) => a.status >= 500))).toEqual([]);
    // Distinct alerts with nothing wrong with them: each closes (200) or opens (201).
    expect(answers.filter((a) => a.status !== 200 && a.status !== 201), JSON.stringify(answers.find((a) => a.status !== 200 && a.status !== 201))).toEqual([]);
    const chain = (await (await fetch(`${BASE}/api/v1/providers/race/chain`)).json()) as PublicChain;
    expect(chain.entries.length).toBeGreaterThan(0);
    const verdict = await verifyChain(chain.entries);
    expect(verdict.ok, JSON.stringify(verdict.problems.slice(0, 3))).toBe(true);
    const backwards = await sql`select id from signals where closed_at < coalesce(filled_at, published_at)`;
    expect(backwards).toHaveLength(0);
    const twoSides = await sql`select symbol from signals where status = 'open' group by symbol having count(distinct side) > 1`;
    expect(twoSides).toHaveLength(0);
  } finally {
    if (server && server.exitCode === null) await kill(server);
    await scratch.drop();
  }
});
