/**
 * `/api/metrics` as Prometheus scrapes it: the route's GET with the bearer token, the answer parsed by a Prometheus
 * text-format parser. The series the operators' dashboards read are there with their labels, and the figures move
 * when rows are written and alerts arrive. Without METRICS_TOKEN, or with a missing or wrong token, it is a 404.
 */
import { beforeEach, describe, expect, it } from "vitest";
import parsePrometheusTextFormat, { type PromFamily } from "parse-prometheus-text-format";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { useFakeMarket } from "@/test/fake-market";
import { newProvider, newProviderWithWebhook } from "@/test/signals";
import { db } from "@/server/db";
import { copyOrders, emailOutbox, exchangeConnections, jobRuns } from "@/server/db/schema";
import { resetRateLimits } from "@/server/rate-limit";
import { trackSseConnection } from "@/server/metrics/registry";
import { readDbPool } from "@/server/metrics/db-pool";
import { POST as tradingview } from "../webhooks/tradingview/[token]/route";
import { GET } from "./route";

const test = useTestDatabase();
const setEnv = useEnvOverrides();
const market = useFakeMarket();
const TOKEN = "metrics-token-0123456789abcdef";

beforeEach(() => {
  setEnv("METRICS_TOKEN", TOKEN);
  resetRateLimits();
  market.setPrice("BTC/USDT", "32045.14");
});

const scrapeRequest = (authorization?: string) => new Request("http://localhost:3000/api/metrics", { headers: authorization ? { authorization } : {} });

const HISTOGRAM = "tradsy_http_request_duration_seconds";

/**
 * The scrape, parsed. The parser folds a histogram's labelled series into one and drops their labels (its
 * `flattenMetrics`), so the histogram is parsed a second time typed `untyped`, where each `_count` line keeps its
 * labels: `<histogram>_count` in the map.
 */
async function scrape(): Promise<Map<string, PromFamily>> {
  const res = await GET(scrapeRequest(`Bearer ${TOKEN}`));
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const text = await res.text();
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  const untyped = parsePrometheusTextFormat(text.replace(`# TYPE ${HISTOGRAM} histogram`, `# TYPE ${HISTOGRAM} untyped`));
  // prom-client writes each label set's buckets, sum and count together, so `_count` comes back as many families.
  const counts = untyped.filter((f) => f.name === `${HISTOGRAM}_count`);
  families.set(`${HISTOGRAM}_count`, { name: `${HISTOGRAM}_count`, help: "", type: "UNTYPED", metrics: counts.flatMap((f) => f.metrics) });
  return families;
}

/** The sample of `family` whose labels include `labels` (its value as a number; 0 when absent). */
function value(families: Map<string, PromFamily>, family: string, labels: Record<string, string> = {}): number {
  const f = families.get(family);
  const sample = f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return sample?.value === undefined ? 0 : Number(sample.value);
}

async function deliverAlert(token: string, body: string): Promise<number> {
  const req = new Request(`http://localhost:3000/api/webhooks/tradingview/${token}`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return (await tradingview(req, { params: Promise.resolve({ token }) })).status;
}

describe("access", () => {
  it("is a 404 without a token, with a wrong one, with a non-Bearer scheme, and when METRICS_TOKEN is unset", async () => {
    for (const authorization of [undefined, "Bearer wrong-token-0123456789abcdef", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`]) {
      const res = await GET(scrapeRequest(authorization));
      expect(res.status, String(authorization)).toBe(404);
      expect(await res.text()).not.toMatch(/tradsy_|metric/i);
    }
    setEnv("METRICS_TOKEN", undefined);
    expect((await GET(scrapeRequest(`Bearer ${TOKEN}`))).status).toBe(404);
    expect((await GET(scrapeRequest("Bearer "))).status).toBe(404);
  });

  it("answers the right token", async () => {
    expect((await GET(scrapeRequest(`Bearer ${TOKEN}`))).status).toBe(200);
    expect((await GET(scrapeRequest(`bearer ${TOKEN}`))).status).toBe(200);
  });
});

describe("series", () => {
  it("carries the default Node metrics, the HTTP histogram, the database gauges and the SSE gauge, with their labels", async () => {
    // One request through the shared route helper, so the histogram has a series.
    expect(await deliverAlert("not-a-token", "{}")).toBe(404);
    const families = await scrape();
    for (const name of ["process_cpu_user_seconds_total", "process_resident_memory_bytes", "nodejs_eventloop_lag_seconds", "nodejs_heap_size_used_bytes"]) {
      expect(families.has(name), name).toBe(true);
    }
    expect(families.get(HISTOGRAM)?.type).toBe("HISTOGRAM");
    const http = families.get(`${HISTOGRAM}_count`)!;
    const webhook = http.metrics.find((m) => m.labels?.route === "/api/webhooks/tradingview/[token]" && m.labels.method === "POST" && m.labels.status === "404");
    expect(webhook, "the route's pattern, never its raw path").toBeDefined();
    expect(Number(webhook!.value)).toBeGreaterThanOrEqual(1);
    expect(http.metrics.some((m) => m.labels?.route?.includes("not-a-token"))).toBe(false);

    expect(families.get("tradsy_job_runs")?.type).toBe("GAUGE");
    expect(families.get("tradsy_copy_orders")?.type).toBe("GAUGE");
    expect(families.get("tradsy_emails")?.metrics.map((m) => m.labels?.status).sort()).toEqual(["failed", "held", "queued", "sent", "suppressed"]);
    expect(families.get("tradsy_tradingview_alerts_total")?.type).toBe("COUNTER");
    expect(value(families, "tradsy_db_scrape_up")).toBe(1);
    const engine = test.handle.kind;
    for (const name of ["tradsy_db_pool_max", "tradsy_db_pool_open", "tradsy_db_pool_active", "tradsy_db_pool_idle"]) {
      expect(families.get(name)?.metrics[0]?.labels, name).toEqual({ engine });
    }
    expect(value(families, "tradsy_db_pool_max", { engine })).toBeGreaterThanOrEqual(1);
    expect(value(families, "tradsy_db_pool_open", { engine })).toBeGreaterThanOrEqual(1);
    expect(families.get("tradsy_live_sse_connections")?.type).toBe("GAUGE");
  });

  it("database pool: PostgreSQL counts this application's connections in pg_stat_activity; PGlite is one connection", async () => {
    const handle = test.handle;
    const pool = await readDbPool(handle);
    expect(pool.engine).toBe(handle.kind);
    if (handle.kind === "pglite") expect(pool).toEqual({ engine: "pglite", max: 1, open: 1, active: 0, idle: 1 });
    else {
      const maxOf = (client: unknown) => (client as { options?: { max?: number } } | undefined)?.options?.max ?? 0;
      expect(pool.max).toBe(maxOf(handle.driver) + maxOf(handle.pipeline));
      expect(pool.max).toBeGreaterThanOrEqual(1);
      expect(pool.open).toBeGreaterThanOrEqual(1);
      expect(pool.active).toBeGreaterThanOrEqual(1); // this statement's own
      expect(pool.active + pool.idle).toBeLessThanOrEqual(pool.open);
    }
  });

  it("job runs, copy orders and emails follow the rows written", async () => {
    const before = await scrape();
    const job = `metrics-test-${Date.now().toString(36)}`;
    await db.insert(jobRuns).values([
      { jobId: job, event: { name: "x" }, eventId: "e1", status: "failed" },
      { jobId: job, event: { name: "x" }, eventId: "e2", status: "failed" },
      { jobId: job, event: { name: "x" }, eventId: "e3", status: "completed" },
    ]);
    const p = await newProvider();
    const [conn] = await db.insert(exchangeConnections).values({ userId: p.user.id, exchangeId: "kraken", label: "k", credentialsSealed: "x", keyHint: "x" } as typeof exchangeConnections.$inferInsert).returning();
    const order = (n: number, venue: string, status: "filled" | "rejected") =>
      ({ clientOrderId: `c${n}-${Date.now()}`, userId: p.user.id, providerId: p.provider.id, venue, symbol: "BTC/USDT", side: "buy", leg: "entry", status, quantity: "1" }) as const;
    await db.insert(copyOrders).values([order(1, "paper", "filled"), order(2, "paper", "filled"), order(3, conn!.id, "rejected")]);
    await db.insert(emailOutbox).values({ to: "a@example.com", kind: "test", subject: "s", html: "h", text: "t", status: "failed" } as typeof emailOutbox.$inferInsert);

    const after = await scrape();
    expect(value(after, "tradsy_job_runs", { job, status: "failed" })).toBe(2);
    expect(value(after, "tradsy_job_runs", { job, status: "completed" })).toBe(1);
    expect(after.get("tradsy_job_runs")!.metrics.find((m) => m.labels?.job === job && m.labels.status === "queued")?.value).toBe("0");
    const moved = (labels: Record<string, string>) => value(after, "tradsy_copy_orders", labels) - value(before, "tradsy_copy_orders", labels);
    expect(moved({ venue: "paper", status: "filled" })).toBe(2);
    // An exchange connection's orders count under its exchange, never under the connection's id.
    expect(moved({ venue: "kraken", status: "rejected" })).toBe(1);
    expect(after.get("tradsy_copy_orders")!.metrics.some((m) => m.labels?.venue === conn!.id)).toBe(false);
    expect(value(after, "tradsy_emails", { status: "failed" }) - value(before, "tradsy_emails", { status: "failed" })).toBe(1);
  });

  it("counts TradingView alerts by outcome", async () => {
    const p = await newProviderWithWebhook();
    const before = await scrape();
    const body = JSON.stringify({ ticker: "BTCUSDT", action: "buy", time: new Date().toISOString() });
    expect(await deliverAlert(p.token, body)).toBe(201);
    expect(await deliverAlert(p.token, body)).toBe(200); // the same alert again
    expect(await deliverAlert(p.token, JSON.stringify({ ticker: "BTCUSDT", action: "buy", time: new Date(Date.now() - 3_600_000).toISOString() }))).toBe(400);
    expect(await deliverAlert(p.token, "{not json")).toBe(400);
    expect(await deliverAlert("tv_" + "a".repeat(30), body)).toBe(404);
    const after = await scrape();
    const moved = (outcome: string) => value(after, "tradsy_tradingview_alerts_total", { outcome }) - value(before, "tradsy_tradingview_alerts_total", { outcome });
    expect({ accepted: moved("accepted"), duplicate: moved("duplicate"), stale: moved("stale"), rejected: moved("rejected"), unknown_url: moved("unknown_url") }).toEqual({
      accepted: 1,
      duplicate: 1,
      stale: 1,
      rejected: 1,
      unknown_url: 1,
    });
  });

  it("live SSE connections go up while a stream is open and down when it ends", async () => {
    const base = value(await scrape(), "tradsy_live_sse_connections");
    const end = [trackSseConnection(), trackSseConnection()];
    expect(value(await scrape(), "tradsy_live_sse_connections")).toBe(base + 2);
    end[0]!();
    end[0]!(); // ending twice counts once
    expect(value(await scrape(), "tradsy_live_sse_connections")).toBe(base + 1);
    end[1]!();
    expect(value(await scrape(), "tradsy_live_sse_connections")).toBe(base);
  });

  it("tRPC requests are timed by procedure path; made-up paths share one label", async () => {
    const { GET: trpc } = await import("../trpc/[trpc]/route");
    const { NextRequest } = await import("next/server");
    await trpc(new NextRequest("http://localhost:3000/api/trpc/providers.list,no.such.thing?batch=1&input=%7B%7D"));
    const http = (await scrape()).get(`${HISTOGRAM}_count`)!;
    const routes = new Set(http.metrics.map((m) => m.labels?.route));
    expect([...routes]).toContain("/api/trpc/providers.list");
    expect(routes.has("/api/trpc/[unknown]")).toBe(true);
    expect([...routes].some((r) => r?.includes("no.such.thing"))).toBe(false);
  });
});
