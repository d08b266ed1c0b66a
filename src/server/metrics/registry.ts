/**
 * The process's one Prometheus registry (prom-client) and the metric objects in it, served by `/api/metrics`.
 *
 * INVARIANT: one registry per process, kept on `globalThis`. Next.js compiles route handlers, server components,
 * instrumentation and the tRPC handler into separate bundles, each with its own copy of this module; a registry per
 * copy would split the series (the TradingView counter in one, the scrape in another) and the scrape would miss them.
 *
 * Counters and histograms live in memory (per process: a replica reports its own). Gauges that describe the database
 * (job runs, copy orders, emails, pool) are read at scrape time by `collectDatabaseGauges` (./collect), so every
 * process reports the same figures.
 */
import "server-only";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { DatabaseFigures, copyOrderSeries, emailSeries, jobRunSeries } from "./collect";

/** Request durations: from a cached read (ms) to a slow export (10 s). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function create() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const live = { sse: 0 };
  // One database read per scrape, shared by the gauges' collect() callbacks: prom-client starts them all at once, so
  // they all find the read in flight; the next scrape starts a new one.
  let pending: Promise<Figures | null> | undefined;
  const figures = (): Promise<Figures | null> =>
    (pending ??= readFigures().finally(() => {
      pending = undefined;
    }));
  const m = {
    registry,
    httpRequestDuration: new Histogram({
      name: "tradsy_http_request_duration_seconds",
      help: "HTTP request duration by method, route pattern (never the raw path) and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
    tradingviewAlerts: new Counter({
      name: "tradsy_tradingview_alerts_total",
      help: "TradingView webhook alerts by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    liveSse: new Gauge({
      name: "tradsy_live_sse_connections",
      help: "Live SSE subscriptions (signals.live, copy.live) open in this process",
      registers: [registry],
      collect() {
        this.set(live.sse);
      },
    }),
    jobRuns: new Gauge({
      name: "tradsy_job_runs",
      help: "Job runs in the database by job and status",
      labelNames: ["job", "status"] as const,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        if (f) for (const r of f.series.jobRuns) this.set({ job: r.key, status: r.status }, r.n);
      },
    }),
    copyOrders: new Gauge({
      name: "tradsy_copy_orders",
      help: "Copy orders in the database by venue (paper or the exchange) and status",
      labelNames: ["venue", "status"] as const,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        if (f) for (const r of f.series.copyOrders) this.set({ venue: r.key, status: r.status }, r.n);
      },
    }),
    emails: new Gauge({
      name: "tradsy_emails",
      help: "Emails in the outbox by status",
      labelNames: ["status"] as const,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        if (f) for (const r of f.series.emails) this.set({ status: r.status }, r.n);
      },
    }),
    ...poolGauges(registry, figures),
    dbScrapeUp: new Gauge({
      name: "tradsy_db_scrape_up",
      help: "1 when the database figures were read at this scrape, 0 when the database failed or did not answer in time",
      registers: [registry],
      async collect() {
        this.set((await figures()) ? 1 : 0);
      },
    }),
    live,
  };
  return m;
}

type Figures = { raw: DatabaseFigures; series: { jobRuns: ReturnType<typeof jobRunSeries>; copyOrders: ReturnType<typeof copyOrderSeries>; emails: ReturnType<typeof emailSeries> } };

/** Read lazily (the database code loads on the first scrape, not wherever a request is timed). */
async function readFigures(): Promise<Figures | null> {
  const { readDatabaseFigures, jobRunSeries, copyOrderSeries, emailSeries } = await import("./collect");
  const raw = await readDatabaseFigures();
  return raw && { raw, series: { jobRuns: jobRunSeries(raw), copyOrders: copyOrderSeries(raw), emails: emailSeries(raw) } };
}

function poolGauges(registry: Registry, figures: () => Promise<Figures | null>) {
  const gauge = (name: string, help: string, pick: (p: DatabaseFigures["pool"]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["engine"] as const,
      registers: [registry],
      async collect() {
        const f = await figures();
        this.reset();
        if (f) this.set({ engine: f.raw.pool.engine }, pick(f.raw.pool));
      },
    });
  return {
    dbPoolMax: gauge("tradsy_db_pool_max", "Database connections this process's clients may open", (p) => p.max),
    dbPoolOpen: gauge("tradsy_db_pool_open", "Database connections open for this application", (p) => p.open),
    dbPoolActive: gauge("tradsy_db_pool_active", "Database connections running a statement", (p) => p.active),
    dbPoolIdle: gauge("tradsy_db_pool_idle", "Database connections open and idle", (p) => p.idle),
  };
}

export type Metrics = ReturnType<typeof create>;

const g = globalThis as unknown as { __tradsyMetrics?: Metrics };

/** The registry and its metric objects (created, with the default Node metrics, once per process). */
export function metrics(): Metrics {
  return (g.__tradsyMetrics ??= create());
}

/** Live SSE subscriptions open in this process. */
export function liveSseConnections(): number {
  return metrics().live.sse;
}

/** Counts one live SSE subscription; call the returned function (once; later calls do nothing) when it ends. */
export function trackSseConnection(): () => void {
  const live = metrics().live;
  live.sse += 1;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    live.sse -= 1;
  };
}

/** Records one HTTP answer. `route` is the route's pattern (`/api/webhooks/tradingview/[token]`), never the raw path. */
export function observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
  metrics().httpRequestDuration.observe({ method, route, status: String(status) }, seconds);
}

/** Counts one TradingView alert by its outcome (accepted, duplicate, rejected, …). */
export function countTradingviewAlert(outcome: string): void {
  metrics().tradingviewAlerts.inc({ outcome });
}
