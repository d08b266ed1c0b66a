/**
 * The monitor's readings: one value per metric of the catalogue (src/lib/ops/thresholds.ts), taken each minute by the
 * `monitor` job. A probe that cannot read (no cgroup, no backup table rows yet) gives no reading rather than a guess.
 *
 * Host figures prefer the container's own limits: cgroup v2 (`cpu.stat`, `cpu.max`, `memory.current`, `memory.max`)
 * or v1 (`cpuacct.usage`, `cpu.cfs_quota_us`, `memory.usage_in_bytes`, `memory.limit_in_bytes`), else the host's
 * (`os.cpus()`, `os.totalmem()`/`os.freemem()`). CPU is the share used between two ticks (the first tick samples for
 * a second); event-loop lag is the p99 of this process's loop delay since the previous tick.
 */
import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import { and, count, desc, eq, gte, inArray, isNotNull, lt, min, ne, sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/server/db";
import { backups, copyOrders, emailOutbox, jobRuns, opsReadings } from "@/server/db/schema";
import { env } from "@/env";
import { readDbPool } from "@/server/metrics/db-pool";
import { liveSseConnections } from "@/server/metrics/registry";
import { outboxIsMailbox } from "@/server/services/email/delivery";
import { logger } from "@/server/logger";
import { cpuPercent, percentile, type OpsMetricKey } from "@/lib/ops/thresholds";

export interface Reading {
  metric: OpsMetricKey;
  value: number;
  /** What the number is of, when it helps ("/data: 41 GB free"). Goes into the alert email. */
  detail?: string;
}

/** What the monitor reads with: the database, and the tick's time. */
export interface ReadingContext {
  handle: DatabaseHandle;
  now: Date;
}

/** Takes the readings for one tick; the monitor job's default, replaced in tests by simulated readings. */
export type ReadingSource = (ctx: ReadingContext) => Promise<Reading[]>;

const EXCHANGE_WINDOW_MS = 15 * 60_000;
/** Fewer live orders than this in the window: no rejection share (one of two rejected says nothing). */
export const EXCHANGE_MIN_ORDERS = 5;
const JOB_LATE_MS = 60_000;
const DAY_MS = 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

type ProcState = { cpu?: { at: number; busy: number; total: number }; loop?: IntervalHistogram };
const g = globalThis as unknown as { __tradsyMonitor?: ProcState };
const state: ProcState = (g.__tradsyMonitor ??= {});

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

/** Cores this process may use: the cgroup quota when one is set, else the host's. */
function cores(): number {
  const v2 = readText("/sys/fs/cgroup/cpu.max")?.split(/\s+/);
  if (v2 && v2[0] !== "max" && Number(v2[1]) > 0) return Number(v2[0]) / Number(v2[1]);
  const quota = Number(readText("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"));
  const period = Number(readText("/sys/fs/cgroup/cpu/cpu.cfs_period_us"));
  if (quota > 0 && period > 0) return quota / period;
  return os.availableParallelism();
}

/** Cumulative busy and total CPU time in microseconds (total = wall time × cores for a cgroup). */
function cpuSample(): { busy: number; total: number; source: string } {
  const wallUs = performance.timeOrigin * 1000 + performance.now() * 1000;
  const v2 = readText("/sys/fs/cgroup/cpu.stat")?.match(/^usage_usec (\d+)/m);
  if (v2) return { busy: Number(v2[1]), total: wallUs * cores(), source: "container" };
  const v1 = readText("/sys/fs/cgroup/cpuacct/cpuacct.usage");
  if (v1 && /^\d+$/.test(v1)) return { busy: Number(v1) / 1000, total: wallUs * cores(), source: "container" };
  let busy = 0;
  let idle = 0;
  for (const c of os.cpus()) {
    busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
    idle += c.times.idle;
  }
  return { busy: busy * 1000, total: (busy + idle) * 1000, source: "host" };
}

async function readCpu(): Promise<Reading | null> {
  let prev = state.cpu;
  // First tick, or the last one long ago: sample over a second instead.
  if (!prev || Date.now() - prev.at > 5 * 60_000) {
    prev = { at: Date.now(), ...cpuSample() };
    await new Promise((r) => setTimeout(r, 1000));
  }
  const next = cpuSample();
  state.cpu = { at: Date.now(), busy: next.busy, total: next.total };
  const value = cpuPercent(prev, next);
  return value === null ? null : { metric: "cpu", value, detail: `${next.source}, ${Math.round(cores() * 10) / 10} cores` };
}

function readMemory(): Reading | null {
  const limitOf = (s: string | null) => (s && /^\d+$/.test(s) ? Number(s) : null);
  const statOf = (file: string, key: string) => Number(readText(file)?.match(new RegExp(`^${key} (\\d+)`, "m"))?.[1] ?? 0);
  // Page cache the kernel can drop (inactive files) is not memory in use.
  const v2Limit = limitOf(readText("/sys/fs/cgroup/memory.max"));
  const v2Used = limitOf(readText("/sys/fs/cgroup/memory.current"));
  if (v2Limit && v2Used !== null) {
    const used = v2Used - statOf("/sys/fs/cgroup/memory.stat", "inactive_file");
    return { metric: "memory", value: (used / v2Limit) * 100, detail: `container, ${gib(used)} of ${gib(v2Limit)}` };
  }
  const v1Limit = limitOf(readText("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
  const v1Used = limitOf(readText("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
  // v1 reports "no limit" as a huge number: only a limit under the host's memory is one.
  if (v1Limit && v1Limit < os.totalmem() && v1Used !== null) {
    const used = v1Used - statOf("/sys/fs/cgroup/memory/memory.stat", "total_inactive_file");
    return { metric: "memory", value: (used / v1Limit) * 100, detail: `container, ${gib(used)} of ${gib(v1Limit)}` };
  }
  const total = os.totalmem();
  const used = total - os.freemem();
  return { metric: "memory", value: (used / total) * 100, detail: `host, ${gib(used)} of ${gib(total)}` };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** The fullest filesystem of the data and (local) backup directories, as `df` counts it. */
function readDisk(): Reading | null {
  const dataDir = path.resolve(env.DATA_DIR);
  const dirs = [dataDir, ...(env.BACKUP_S3_BUCKET ? [] : [path.resolve(env.BACKUP_DIR ?? path.join(env.DATA_DIR, "backups"))])];
  let worst: Reading | null = null;
  for (const dir of dirs) {
    // A directory not made yet is on its parent's filesystem.
    let probe = dir;
    while (!fs.existsSync(probe) && path.dirname(probe) !== probe) probe = path.dirname(probe);
    try {
      const s = fs.statfsSync(probe);
      const used = s.blocks - s.bfree;
      const value = used + s.bavail > 0 ? (used / (used + s.bavail)) * 100 : 0;
      if (!worst || value > worst.value) worst = { metric: "disk", value, detail: `${dir}: ${gib(s.bavail * s.bsize)} free` };
    } catch {
      // unreadable: no reading for this directory
    }
  }
  return worst;
}

function readEventLoopLag(): Reading {
  if (!state.loop) {
    state.loop = monitorEventLoopDelay({ resolution: 20 });
    state.loop.enable();
  }
  const h = state.loop;
  // Nanoseconds; with no samples yet (the first tick) the histogram reads 0.
  const value = h.count > 0 ? h.percentile(99) / 1e6 : 0;
  h.reset();
  return { metric: "event_loop_lag", value };
}

async function readDatabase(handle: DatabaseHandle): Promise<Reading[]> {
  const started = performance.now();
  await handle.db.execute(sql`select 1`);
  const latency = performance.now() - started;
  const pool = await readDbPool(handle);
  return [
    { metric: "db_latency", value: latency },
    { metric: "db_pool", value: pool.max > 0 ? (pool.active / pool.max) * 100 : 0, detail: `${pool.engine}: ${pool.active} busy, ${pool.open} open of ${pool.max}` },
  ];
}

/** Live venues only (paper fills in process): p95 round trip and the share rejected, last 15 minutes. */
async function readExchanges({ handle, now }: ReadingContext): Promise<Reading[]> {
  const since = new Date(now.getTime() - EXCHANGE_WINDOW_MS);
  const placed = and(ne(copyOrders.venue, "paper"), gte(copyOrders.createdAt, since), inArray(copyOrders.status, ["submitted", "filled", "rejected", "cancelled"]));
  const [counts] = await handle.db
    .select({ total: count(), rejected: sql<number>`count(*) filter (where ${copyOrders.status} = 'rejected')`.mapWith(Number) })
    .from(copyOrders)
    .where(placed);
  const latencies = await handle.db
    .select({ ms: copyOrders.latencyMs })
    .from(copyOrders)
    .where(and(placed, isNotNull(copyOrders.latencyMs)));
  const out: Reading[] = [];
  const p95 = percentile(latencies.map((r) => r.ms!), 95);
  if (p95 !== null) out.push({ metric: "exchange_latency", value: p95, detail: `${latencies.length} orders in 15 minutes` });
  const total = counts?.total ?? 0;
  if (total >= EXCHANGE_MIN_ORDERS)
    out.push({ metric: "exchange_error_rate", value: ((counts?.rejected ?? 0) / total) * 100, detail: `${counts?.rejected ?? 0} of ${total} orders rejected in 15 minutes` });
  return out;
}

async function readJobs({ handle, now }: ReadingContext): Promise<Reading[]> {
  const [waiting] = await handle.db
    .select({ n: count() })
    .from(jobRuns)
    .where(and(inArray(jobRuns.status, ["queued", "retrying"]), lt(jobRuns.wakeAt, new Date(now.getTime() - JOB_LATE_MS))));
  const [failed] = await handle.db
    .select({ n: count() })
    .from(jobRuns)
    .where(and(eq(jobRuns.status, "failed"), gte(jobRuns.finishedAt, new Date(now.getTime() - DAY_MS))));
  return [
    { metric: "jobs_waiting", value: waiting?.n ?? 0 },
    { metric: "jobs_failed", value: failed?.n ?? 0 },
  ];
}

async function readEmail({ handle, now }: ReadingContext, mailbox: boolean): Promise<Reading[]> {
  const [row] = await handle.db
    .select({ n: count(), oldest: min(emailOutbox.createdAt) })
    .from(emailOutbox)
    .where(eq(emailOutbox.status, "queued"));
  const out: Reading[] = [{ metric: "email_queue", value: row?.n ?? 0 }];
  // With no sender the outbox is the mailbox (development): nothing drains it, so its age means nothing.
  if (!mailbox) out.push({ metric: "email_queue_age", value: row?.oldest ? Math.max(0, now.getTime() - new Date(row.oldest).getTime()) / 60_000 : 0 });
  return out;
}

/**
 * Last completed backup and last verified restore, in hours. With none ever, the age counts from the monitor's first
 * reading still kept (at most 7 days), so a platform that never backed up is heard about, but not on its first day.
 */
async function readBackups({ handle, now }: ReadingContext): Promise<Reading[]> {
  const [completed] = await handle.db
    .select({ at: backups.finishedAt })
    .from(backups)
    .where(and(eq(backups.status, "completed"), isNotNull(backups.finishedAt)))
    .orderBy(desc(backups.finishedAt))
    .limit(1);
  const [passed] = await handle.db
    .select({ at: backups.verifiedAt })
    .from(backups)
    .where(eq(backups.verification, "passed"))
    .orderBy(desc(backups.verifiedAt))
    .limit(1);
  const [newestVerified] = await handle.db
    .select({ verification: backups.verification, error: backups.verificationError, id: backups.id })
    .from(backups)
    .where(isNotNull(backups.verifiedAt))
    .orderBy(desc(backups.verifiedAt))
    .limit(1);
  const [first] = await handle.db.select({ at: min(opsReadings.at) }).from(opsReadings);
  const since = first?.at ? new Date(first.at) : now;
  const hours = (at: Date | null | undefined) => Math.max(0, now.getTime() - (at ?? since).getTime()) / HOUR_MS;
  const out: Reading[] = [
    { metric: "backup_age", value: hours(completed?.at), ...(completed ? {} : { detail: "no backup completed yet" }) },
    { metric: "restore_verified_age", value: hours(passed?.at), ...(passed ? {} : { detail: "no backup verified yet" }) },
  ];
  if (newestVerified)
    out.push({
      metric: "backup_verification",
      value: newestVerified.verification === "failed" ? 1 : 0,
      ...(newestVerified.verification === "failed" ? { detail: `${newestVerified.id}: ${newestVerified.error ?? "verification failed"}` } : {}),
    });
  return out;
}

/** Every probe; one that throws is logged and left out of this tick rather than failing the others. */
export const takeReadings: ReadingSource = async (ctx) => {
  const probes: Record<string, () => Promise<Reading[]> | Reading[]> = {
    cpu: async () => {
      const r = await readCpu();
      return r ? [r] : [];
    },
    memory: () => [readMemory()].filter((r): r is Reading => r !== null),
    disk: () => [readDisk()].filter((r): r is Reading => r !== null),
    process: () => [readEventLoopLag(), { metric: "sse_connections", value: liveSseConnections() }],
    database: () => readDatabase(ctx.handle),
    exchanges: () => readExchanges(ctx),
    jobs: () => readJobs(ctx),
    email: () => readEmail(ctx, outboxIsMailbox()),
    backups: () => readBackups(ctx),
  };
  const settled = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      try {
        return await probe();
      } catch (err) {
        logger.warn({ err, probe: name }, "monitoring probe failed");
        return [];
      }
    }),
  );
  return settled.flat();
};
