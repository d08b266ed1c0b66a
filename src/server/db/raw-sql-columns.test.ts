/**
 * The hand-written SQL of the raw paths (src/server/db/raw.ts: the publication's statements and the TradingView
 * webhook's) names tables, columns and enum types as text, out of the type checker's sight. This test reads every
 * such statement, resolves the names it uses — tables and their aliases, qualified columns (`p.id`), unqualified
 * columns in the scope of their tables, insert column lists, subquery outputs, `::type` casts — and checks each
 * against the Drizzle schema (`getTableConfig`), so renaming a column or table in the schema fails here, not in
 * production on the webhook's hot path.
 *
 * It also guards itself: every `*_SQL` constant under src/server, and every file that imports the raw helpers,
 * must be accounted for below.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { is } from "drizzle-orm";
import { CasingCache } from "drizzle-orm/casing";
import { PgTable, getTableConfig, isPgEnum } from "drizzle-orm/pg-core";
import * as schema from "@/server/db/schema";
import type { RawStatement } from "@/server/db/raw";
import type { SealedChainEntry } from "@/server/services/chain";
import type { SignalRow } from "@/server/services/signals";
import { LIVE_SIDE_SQL, lockTimeoutStatement } from "@/server/services/signals/guard";
import { providerLockSql, providerLockStatement } from "@/server/services/signals/provider-lock";
import { HEAD_SQL, HEAD_WITH_DELIVERY_SQL, LOCKED_HEAD_SQL, optimisticWrite, publicationWrite } from "@/server/services/signals/publication-sql";
import { DELIVERY_CONTEXT_SQL } from "@/server/services/tradingview/handle";

// ---------------------------------------------------------------------------------------------------------------
// The schema, as the SQL names it

interface KnownSchema {
  tables: Map<string, Set<string>>;
  types: Set<string>;
}

const BUILT_IN_TYPES = ["text", "int", "integer", "bigint", "numeric", "boolean", "json", "jsonb", "timestamptz", "date", "uuid"];

/** The schema's tables with their columns' SQL names as the client names them (`casing: "snake_case"`, db/index.ts). */
function schemaOf(module: Record<string, unknown>): KnownSchema {
  const casing = new CasingCache("snake_case");
  const tables = new Map<string, Set<string>>();
  const types = new Set(BUILT_IN_TYPES);
  for (const value of Object.values(module)) {
    if (is(value, PgTable)) {
      const config = getTableConfig(value);
      tables.set(config.name, new Set(config.columns.map((c) => casing.getColumnCasing(c))));
    } else if (isPgEnum(value)) {
      types.add(value.enumName);
    }
  }
  return { tables, types };
}

// ---------------------------------------------------------------------------------------------------------------
// A small reader for the SQL these paths write (select / insert, CTEs, lateral joins, correlated subqueries)

type Token = { kind: "id" | "quoted" | "string" | "param" | "number" | "punct"; text: string; type?: true };
interface Group {
  items: Item[];
}
type Item = Token | Group;

const KEYWORDS = new Set(
  (
    "select from where and or not exists in is null true false distinct as on left right inner outer full cross join lateral " +
    "order by desc asc limit offset with insert into values update delete set local case when then else end returning conflict " +
    "do nothing group having union all any some between like ilike nulls first last default"
  ).split(" "),
);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s+|--[^\n]*|'(?:[^']|'')*'|"[^"]*"|\$\d+|::|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?|<>|<=|>=|!=|\|\||[(),;=<>+\-*/%[\]]/gy;
  let castNext = false;
  let read = 0;
  for (let m = re.exec(text); m && m[0] !== ""; m = re.exec(text)) {
    const t = m[0];
    read = re.lastIndex;
    if (/^\s|^--/.test(t)) continue;
    if (t === "::") {
      castNext = true;
      continue;
    }
    const kind: Token["kind"] = t.startsWith("'")
      ? "string"
      : t.startsWith('"')
        ? "quoted"
        : t.startsWith("$")
          ? "param"
          : /^\d/.test(t)
            ? "number"
            : /^[A-Za-z_]/.test(t)
              ? "id"
              : "punct";
    tokens.push({ kind, text: kind === "id" ? t.toLowerCase() : t, ...(castNext ? { type: true as const } : {}) });
    castNext = false;
  }
  if (read < text.length) throw new Error(`cannot read SQL at: ${text.slice(read, read + 30)}`);
  return tokens;
}

function group(tokens: Token[]): Group {
  const root: Group = { items: [] };
  const stack = [root];
  for (const t of tokens) {
    if (t.text === "(") {
      const g: Group = { items: [] };
      stack.at(-1)!.items.push(g);
      stack.push(g);
    } else if (t.text === ")") {
      if (stack.length === 1) throw new Error("unbalanced )");
      stack.pop();
    } else {
      stack.at(-1)!.items.push(t);
    }
  }
  if (stack.length !== 1) throw new Error("unbalanced (");
  return root;
}

type Source = { kind: "table"; table: string } | { kind: "derived"; outputs: Set<string> };
interface Scope {
  parent: Scope | null;
  names: Map<string, Source>;
  tables: string[];
}

const isToken = (i: Item | undefined): i is Token => Boolean(i && "kind" in i);
const isId = (i: Item | undefined, text?: string): i is Token => isToken(i) && i.kind === "id" && (text === undefined || i.text === text);
const isGroup = (i: Item | undefined): i is Group => Boolean(i && "items" in i);

function lookup(scope: Scope | null, name: string): Source | undefined {
  for (let s = scope; s; s = s.parent) {
    const found = s.names.get(name);
    if (found) return found;
  }
  return undefined;
}

/** The output names of a subquery: each select-list item's alias or last column name (`?column?` otherwise). */
function outputsOf(g: Group): Set<string> {
  const start = g.items.findIndex((i) => isId(i, "select"));
  const end = g.items.findIndex((i, n) => n > start && isId(i, "from"));
  const list = g.items.slice(start + 1, end === -1 ? undefined : end);
  const outputs = new Set<string>();
  let item: Item[] = [];
  const flush = () => {
    const as = item.findLastIndex((i) => isId(i, "as"));
    const named = as >= 0 ? item[as + 1] : [...item].reverse().find((i) => isToken(i) && i.kind === "id" && !i.type);
    outputs.add(isToken(named) ? named.text.replace(/^"|"$/g, "").split(".").at(-1)! : "?column?");
    item = [];
  };
  for (const i of list) {
    if (isToken(i) && i.text === ",") flush();
    else item.push(i);
  }
  if (item.length) flush();
  return outputs;
}

/** Names the SQL uses that the schema does not have, as readable problems (empty: every name resolves). */
function unknownNames(text: string, known: KnownSchema): string[] {
  const problems: string[] = [];
  const tokens = tokenize(text);
  if (isId(tokens[0], "set")) return problems; // `set local lock_timeout = …` names no table
  check(group(tokens), null, known, problems, null);
  return problems;
}

function columnOf(table: string, column: string, known: KnownSchema, problems: string[], as: string) {
  if (!known.tables.get(table)?.has(column)) problems.push(`${table} has no column ${column} (${as})`);
}

function check(g: Group, parent: Scope | null, known: KnownSchema, problems: string[], columnListOf: string | null) {
  if (columnListOf) {
    for (const i of g.items) if (isId(i)) columnOf(columnListOf, i.text, known, problems, `insert into ${columnListOf}`);
    return;
  }
  const scope: Scope = { parent, names: new Map(), tables: [] };
  const skip = new Set<number>();
  const columnLists = new Map<number, string>();
  const items = g.items;

  // Definitions first: CTEs, tables and their aliases, derived tables; the lock clause.
  for (let n = 0; n < items.length; n++) {
    const i = items[n];
    if (isId(i) && isId(items[n + 1], "as") && isGroup(items[n + 2]) && (isId(items[n - 1], "with") || (isToken(items[n - 1]) && (items[n - 1] as Token).text === ","))) {
      scope.names.set(i.text, { kind: "derived", outputs: outputsOf(items[n + 2] as Group) });
      skip.add(n);
      continue;
    }
    if (isId(i, "for") && (isId(items[n + 1], "update") || isId(items[n + 1], "share") || isId(items[n + 1], "no") || isId(items[n + 1], "key"))) {
      let k = n + 1;
      while (["no", "key", "update", "share"].some((w) => isId(items[k], w))) skip.add(k++);
      if (isId(items[k], "of")) {
        skip.add(k++);
        for (;;) {
          const alias = items[k];
          if (isId(alias) && !lookup(scope, alias.text)) problems.push(`lock of unknown alias ${alias.text}`);
          skip.add(k++);
          if (!(isToken(items[k]) && (items[k] as Token).text === ",")) break;
          skip.add(k++);
        }
      }
      while (["skip", "locked", "nowait"].some((w) => isId(items[k], w))) skip.add(k++);
      skip.add(n);
      n = k - 1;
      continue;
    }
    if (!(isId(i, "from") || isId(i, "join") || isId(i, "into") || isId(i, "update"))) continue;
    let k = n + 1;
    if (isId(items[k], "lateral")) k++;
    const target = items[k];
    let source: Source;
    if (isGroup(target)) {
      source = { kind: "derived", outputs: outputsOf(target) };
    } else if (isId(target) && !KEYWORDS.has(target.text)) {
      skip.add(k);
      const cte = lookup(scope, target.text);
      if (cte && cte.kind === "derived") {
        source = cte;
      } else if (known.tables.has(target.text)) {
        source = { kind: "table", table: target.text };
        scope.tables.push(target.text);
        scope.names.set(target.text, source);
        if (isId(i, "into") && isGroup(items[k + 1])) columnLists.set(k + 1, target.text);
      } else {
        problems.push(`unknown table ${target.text}`);
        continue;
      }
    } else {
      continue; // `is not distinct from $1`: not a table
    }
    let a = k + 1;
    if (isId(items[a], "as")) a++;
    if (isId(items[a]) && !KEYWORDS.has((items[a] as Token).text) && !(isId(i, "into") && isGroup(items[k + 1]))) {
      scope.names.set((items[a] as Token).text, source);
      skip.add(a);
    }
  }

  // Then every name used.
  for (let n = 0; n < items.length; n++) {
    const i = items[n];
    if (isGroup(i)) {
      check(i, scope, known, problems, columnLists.get(n) ?? null);
      continue;
    }
    if (!isToken(i) || skip.has(n)) continue;
    if (i.type) {
      if (!known.types.has(i.text)) problems.push(`unknown type ${i.text}`);
      continue;
    }
    if (i.kind !== "id" || KEYWORDS.has(i.text)) continue;
    if (isGroup(items[n + 1])) continue; // a function call
    if (isId(items[n - 1], "as")) continue; // an output name
    const [qualifier, column] = i.text.includes(".") ? i.text.split(".") : [null, i.text];
    if (qualifier) {
      const source = lookup(scope, qualifier);
      if (!source) problems.push(`unknown alias ${qualifier} (${i.text})`);
      else if (source.kind === "table") columnOf(source.table, column!, known, problems, i.text);
      else if (!source.outputs.has(column!)) problems.push(`subquery ${qualifier} has no output ${column} (${i.text})`);
      continue;
    }
    if (lookup(scope, column!)) continue; // a table, alias or CTE named bare
    const visible: string[] = [];
    for (let s: Scope | null = scope; s; s = s.parent) visible.push(...s.tables);
    if (!visible.some((t) => known.tables.get(t)?.has(column!))) problems.push(`no table in scope (${visible.join(", ") || "none"}) has column ${column}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The statements

const known = schemaOf(schema as unknown as Record<string, unknown>);

const at = new Date("2024-01-02T03:04:05.000Z");
const signal: SignalRow = {
  id: "sig_1",
  providerId: "prv_1",
  number: 1,
  symbol: "BTC/USDT",
  side: "long",
  entryType: "market",
  entryPrice: "1",
  initialStop: null,
  stopLoss: null,
  takeProfits: [],
  note: "",
  source: "tradingview",
  status: "open",
  idempotencyKey: "k",
  publishedAt: at,
  expiresAt: null,
  filledAt: at,
  fillPrice: "1",
  remaining: "1",
  targetsHit: [],
  closedAt: null,
  checkedUntil: null,
  exitPrice: null,
  exitReason: null,
  resultPct: null,
  resultR: null,
  prevHash: "0",
  hash: "1",
  updatedAt: at,
};
const event: SealedChainEntry["row"] = { id: "evt_1", providerId: "prv_1", signalId: "sig_1", seq: 1, kind: "published", at: at.toISOString(), data: {}, nonce: "n", prevHash: "0", hash: "1" };
const audit = { actorId: "usr_1", data: { source: "tradingview" }, ip: null };
const delivery = { key: "d", status: 201, response: {} };
const text = ([t]: RawStatement) => t;

/** Every hand-written statement of the raw paths, in each shape it takes. */
const STATEMENTS: Record<string, string> = {
  HEAD_SQL,
  HEAD_WITH_DELIVERY_SQL,
  LOCKED_HEAD_SQL,
  LIVE_SIDE_SQL,
  DELIVERY_CONTEXT_SQL,
  "providerLockStatement()": text(providerLockStatement("prv_1")),
  "providerLockStatement(token, passphrase)": text(providerLockStatement("prv_1", { tokenHash: "h", passphrase: true })),
  "providerLockSql(skip locked)": providerLockSql(() => "$1", "$2", { skipLocked: true, where: ["p.id is not null"] }),
  "publicationWrite()": text(publicationWrite(signal, event, null, null)),
  "publicationWrite(audit, delivery)": text(publicationWrite(signal, event, audit, delivery)),
  "optimisticWrite(no guard)": text(optimisticWrite(signal, event, null, delivery, { seq: 1, hash: "1", lastNumber: 1 }, {})),
  "optimisticWrite(full guard)": text(
    optimisticWrite(signal, event, audit, delivery, { seq: 1, hash: "1", lastNumber: 1 }, { tokenHash: "h", passphraseEnc: null, noLiveOn: { symbol: "BTC/USDT", side: "short" } }),
  ),
  lockTimeoutStatement: text(lockTimeoutStatement("2s")),
};

describe("hand-written SQL of the raw paths", () => {
  it("reads the schema (the check has something to check against)", () => {
    expect(known.tables.get("signals")).toContain("provider_id");
    expect(known.tables.get("webhook_deliveries")).toContain("key");
    expect(known.types).toContain("signal_side");
  });

  for (const [name, sql] of Object.entries(STATEMENTS)) {
    it(`${name} names only tables, columns and types the schema has`, () => {
      expect(unknownNames(sql, known)).toEqual([]);
    });
  }

  it("catches what it is there to catch", () => {
    expect(unknownNames(`select p.nme from providers as p`, known)).toEqual(["providers has no column nme (p.nme)"]);
    expect(unknownNames(`select max(numbr) from signals where provider_id = $1`, known)).toEqual(["no table in scope (signals) has column numbr"]);
    expect(unknownNames(`insert into webhook_deliveries (provider_id, kee) values ($1, $2)`, known)).toEqual(["webhook_deliveries has no column kee (insert into webhook_deliveries)"]);
    expect(unknownNames(`select 1 from signal as s`, known)).toEqual(["unknown table signal"]);
    expect(unknownNames(`select h.sq from (select seq from signal_events) as h`, known)).toEqual(["subquery h has no output sq (h.sq)"]);
    expect(unknownNames(`select $1::text::signal_sides`, known)).toEqual(["unknown type signal_sides"]);
    expect(unknownNames(`select x.id from providers as p`, known)).toEqual(["unknown alias x (x.id)"]);
    // A correlated subquery sees the outer query's aliases.
    expect(unknownNames(`select exists (select 1 from signals as k where k.provider_id = p.id) from providers as p`, known)).toEqual([]);
    // A column renamed in HEAD_SQL's text would be refused.
    expect(unknownNames(HEAD_SQL.replace("idempotency_key", "idempotency_keys"), known)).toEqual(["no table in scope (signals) has column idempotency_keys"]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The guard on this test: nothing hand-written escapes it

const SERVER = path.resolve(import.meta.dirname, "..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/**
 * Files that import the raw helpers, and why their SQL is covered: each statement they run is in STATEMENTS above,
 * or names no table.
 */
const RAW_USERS: Record<string, string> = {
  "services/signals/publication-sql.ts": "HEAD_SQL, HEAD_WITH_DELIVERY_SQL, LOCKED_HEAD_SQL, publicationWrite, optimisticWrite",
  "services/signals/guard.ts": "LIVE_SIDE_SQL, lockTimeoutStatement",
  "services/signals/provider-lock.ts": "providerLockSql, providerLockStatement",
  "services/signals/publish.ts": "runs the statements of publication-sql, guard and provider-lock only",
  "services/tradingview/handle.ts": "DELIVERY_CONTEXT_SQL",
  "services/providers/index.ts": "executeRows of the marketplace search's loose index scan over signals.symbol (publishedSymbolsNamed); run by src/server/services/providers/search.test.ts on both databases",
  "services/tradingview/settle.ts": "executeRows of the delivery's advisory lock (names no table); the provider lock through lockProvider",
  "services/signals/fanout-row.ts": "executeRows of the copy fan-out row's conditional insert and the pending check; run on both databases by src/server/services/copy/fanout.test.ts and exits.test.ts",
  "services/copy/engine.ts": "executeRows of the copy engine's page loads, sweeps, copy stop-loss and serial-venue planning; run on both databases by src/server/services/copy/*.test.ts",
  "services/copy/paper.ts": "executeRows of the paper venue's one-statement batch write (persistOrders) and the copy NOTIFY; run on both databases by src/server/services/copy/*.test.ts",
  "services/copy/ledger.ts": "executeRows of the execution-quality aggregates (percentile_cont); run on both databases by src/server/services/copy/services.test.ts",
  "services/alerts/signals.ts": "executeRows of the signal-alerts claim (the provider's signals not yet alerted, inserted into signal_alerts) and the followers' recipients query with their email choices; run on both databases by src/server/services/alerts/signals.test.ts",
  "services/alerts/copy.ts": "executeRows of the copy emails' recipients (orders by outcome per follower, with their email choices); run on both databases by src/server/services/alerts/copy.test.ts",
  "metrics/collect.ts": "executeRows of the scrape's counts (job_runs, copy_orders, email_outbox grouped by status) and pg_stat_activity; run on both databases by src/app/api/metrics/route.test.ts",
  "metrics/db-pool.ts": "executeRows of pg_stat_activity for this database and application (PostgreSQL only); run by src/app/api/metrics/route.test.ts and src/server/services/monitoring/monitor.test.ts",
  "services/health/index.ts": "executeRows of the readiness probe's select 1; run on both databases by src/app/api/ready/route.test.ts",
  "services/monitoring/system.ts": "executeRows of the System page's readings and 24 h series (ops_readings, ops_alerts); run on both databases by src/server/api/routers/admin/system.test.ts",
  "jobs/inline/store.ts": "rawQueryOn: the embedded job runner's statements on job_runs, job_steps, job_events and job_schedules, every one run on both databases by src/server/jobs/inline/durable.test.ts, review.test.ts and crash.test.ts",
};

describe("the raw-SQL check covers every raw statement", () => {
  const files = sources(SERVER).map((f) => ({ rel: path.relative(SERVER, f).split(path.sep).join("/"), text: readFileSync(f, "utf8") }));

  it("every *_SQL constant under src/server is checked", () => {
    const constants = files.flatMap((f) => [...f.text.matchAll(/\bconst ([A-Z][A-Z0-9_]*_SQL)\b/g)].map((m) => m[1]!));
    expect(constants.length).toBeGreaterThan(0);
    for (const name of constants) expect(Object.keys(STATEMENTS), `${name} is not checked`).toContain(name);
  });

  it("every file that imports the raw helpers is accounted for", () => {
    const users = files.filter((f) => /from "(@\/server\/db\/raw|\.\/raw)"/.test(f.text) && f.rel !== "db/raw.ts").map((f) => f.rel);
    expect(users.length).toBeGreaterThan(0);
    expect(users.sort()).toEqual(Object.keys(RAW_USERS).sort());
  });
});
