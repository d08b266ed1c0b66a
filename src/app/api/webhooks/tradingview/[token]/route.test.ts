/**
 * The TradingView webhook as TradingView calls it: the route's POST with the alert body. The real example bodies in
 * shared/data/tradingview (TradersPost, PickMyTrade, TradingView's own text example) each have their effect,
 * repeats of one alert create one signal, and every refusal is a 4xx with a message that writes nothing.
 */
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { actingAs, newProviderWithWebhook, rowCounts } from "@/test/signals";
import { db } from "@/server/db";
import { signalEvents, signals, webhookDeliveries } from "@/server/db/schema";
import { env } from "@/env";
import { appBaseUrl } from "@/server/http/base-url";
import { resetRateLimits } from "@/server/rate-limit";
import { publishSignal } from "@/server/services/signals";
import { verifyStoredChain } from "@/server/services/chain";
import { waitForInlineRuns } from "@/server/jobs/inline/runner";
import { POST } from "./route";

useTestDatabase();
const market = useFakeMarket();
beforeEach(() => {
  resetRateLimits();
  market.setPrice("BTC/USDT", "32045.14");
});
// Closes start a stats roll-up in the background; let it finish before the next test empties the tables.
afterEach(() => waitForInlineRuns());

const DATA_DIR = process.env.MARKET_DATA_DIR ?? path.resolve(import.meta.dirname, "../../../../../../../shared/data");
const EXAMPLES_FILE = path.join(DATA_DIR, "tradingview", "tradingview_alert_examples.json");
const haveExamples = fs.existsSync(EXAMPLES_FILE);
if (!haveExamples) console.warn(`TradingView example alerts skipped: ${EXAMPLES_FILE} is absent (see shared/data/README.md)`);

interface Example {
  id: string;
  content_type: string;
  body: string;
}
const examples: Record<string, Example> = haveExamples
  ? Object.fromEntries((JSON.parse(fs.readFileSync(EXAMPLES_FILE, "utf8")) as { examples: Example[] }).examples.map((e) => [e.id, e]))
  : {};

/** The example body with its illustrative 2021 time replaced by the current one, so it is not stale. */
function fresh(e: Example, now = new Date()): string {
  return e.body.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/g, now.toISOString().replace(/\.\d{3}Z$/, "Z"));
}

interface Answer {
  status: number;
  body: { error?: { message: string }; action?: string; duplicate?: boolean; signal?: { id: string; symbol: string; side: string; entryPrice: string }; signals?: { id: string; status: string }[] };
  ms: number;
  retryAfter: string | null;
}

async function deliver(token: string, body: string, contentType = "application/json"): Promise<Answer> {
  const started = performance.now();
  const res = await POST(
    new Request(`http://localhost:3000/api/webhooks/tradingview/${token}`, { method: "POST", headers: { "content-type": contentType }, body }),
    { params: Promise.resolve({ token }) },
  );
  const json = (await res.json()) as Answer["body"];
  return { status: res.status, body: json, ms: performance.now() - started, retryAfter: res.headers.get("retry-after") };
}

/** A provider with a webhook URL made through the settings procedure. */
async function withWebhook() {
  const p = await newProviderWithWebhook();
  expect(p.url).toMatch(new RegExp(`^${appBaseUrl()}/api/webhooks/tradingview/tv_[A-Za-z0-9_-]{20,64}$`));
  return p;
}

const alert = (fields: Record<string, unknown>) => JSON.stringify({ ticker: "BTCUSDT", time: new Date().toISOString(), ...fields });

async function signalsOf(providerId: string) {
  return db.select().from(signals).where(eq(signals.providerId, providerId)).orderBy(asc(signals.number));
}

describe.skipIf(!haveExamples)("the example alerts from shared/data/tradingview", () => {
  it("E1 (TradersPost buy) opens a long BTC/USDT at 32045.14, in well under a second", async () => {
    const p = await withWebhook();
    const a = await deliver(p.token, fresh(examples.E1!), examples.E1!.content_type);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ action: "opened", signal: { symbol: "BTC/USDT", side: "long", entryPrice: "32045.14" } });
    // A sanity bound only (TradingView gives up after 3 s); the benchmark measures the real figure.
    expect(a.ms).toBeLessThan(1000);
    const rows = await signalsOf(p.provider.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ symbol: "BTC/USDT", side: "long", entryType: "market", entryPrice: "32045.14", status: "open", source: "tradingview" });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("E2 (sell with sentiment flat) closes the long E1 opened", async () => {
    const p = await withWebhook();
    await deliver(p.token, fresh(examples.E1!), examples.E1!.content_type);
    market.setPrice("BTC/USDT", "32500");
    const a = await deliver(p.token, fresh(examples.E2!), examples.E2!.content_type);
    expect(a.status).toBe(200);
    expect(a.body.action).toBe("closed");
    const rows = await signalsOf(p.provider.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ side: "long", status: "closed", exitPrice: "32500", exitReason: "manual", remaining: "0" });
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
  });

  it("E3 (exit) closes the open signal, and with none open is a 409 that writes nothing", async () => {
    const p = await withWebhook();
    const before = await rowCounts();
    const none = await deliver(p.token, fresh(examples.E3!), examples.E3!.content_type);
    expect(none.status).toBe(409);
    expect(none.body.error?.message).toMatch(/No open signal on BTC\/USDT to exit/);
    expect(await rowCounts()).toEqual(before);

    const { signal } = await publishSignal(actingAs(p.user), p.provider.id, { symbol: "BTC/USDT", side: "short", stopLoss: "33000" }, "ui");
    const a = await deliver(p.token, fresh(examples.E3!), examples.E3!.content_type);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ action: "closed", signals: [{ id: signal.id, status: "closed" }] });
    expect((await signalsOf(p.provider.id))[0]).toMatchObject({ status: "closed", exitPrice: "32045.14" });
  });

  it("E4 (PickMyTrade buy) opens a long at 32045.14 without levels (its 0s mean 'not set')", async () => {
    const p = await withWebhook();
    const a = await deliver(p.token, fresh(examples.E4!), examples.E4!.content_type);
    expect(a.status).toBe(201);
    const rows = await signalsOf(p.provider.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ symbol: "BTC/USDT", side: "long", entryPrice: "32045.14", stopLoss: null, takeProfits: [], status: "open" });
  });

  it("E5 (TradingView's plain-text example) is refused for its missing action and writes nothing", async () => {
    const p = await withWebhook();
    const before = await rowCounts();
    const a = await deliver(p.token, examples.E5!.body, examples.E5!.content_type);
    expect(a.status).toBe(400);
    expect(a.body.error?.message).toMatch(/no action.*Add "action"/);
    expect(await rowCounts()).toEqual(before);
  });

  it("100 sequential deliveries of E1 create one signal; the repeats answer 200 with duplicate: true", async () => {
    const p = await withWebhook();
    const body = fresh(examples.E1!);
    const answers: Answer[] = [];
    for (let i = 0; i < 100; i++) answers.push(await deliver(p.token, body));
    expect(answers[0]!.status).toBe(201);
    for (const a of answers.slice(1)) {
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ duplicate: true, action: "opened", signal: { id: answers[0]!.body.signal!.id } });
    }
    expect(await rowCounts()).toMatchObject({ signals: 1, signalEvents: 1, webhookDeliveries: 1 });
  });

  it("100 concurrent deliveries of E1 create one signal and one chain entry", async () => {
    const p = await withWebhook();
    const body = fresh(examples.E1!);
    const answers = await Promise.all(Array.from({ length: 100 }, () => deliver(p.token, body)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    // Repeats that arrive while the first is in flight get a retryable 503 (TradingView resends only after a 5xx,
    // never after a 4xx); later ones the stored answer.
    for (const a of answers.filter((x) => x.status !== 201)) {
      if (a.status === 503) expect(a).toMatchObject({ retryAfter: "5", body: { error: { message: expect.stringMatching(/already being processed/) } } });
      else expect(a).toMatchObject({ status: 200, body: { duplicate: true } });
    }
    const rows = await signalsOf(p.provider.id);
    expect(rows).toHaveLength(1);
    const events = await db.select().from(signalEvents).where(eq(signalEvents.providerId, p.provider.id));
    expect(events.map((e) => e.kind)).toEqual(["published"]);
    expect(await db.select().from(webhookDeliveries)).toHaveLength(1);
    expect((await verifyStoredChain(p.provider.id)).ok).toBe(true);
    // After the burst, a repeat gets the stored answer.
    expect(await deliver(p.token, body)).toMatchObject({ status: 200, body: { duplicate: true, signal: { id: rows[0]!.id } } });
  });
});

describe("refused deliveries: a 4xx with a message, and nothing written", () => {
  const cases: { name: string; body: () => string; contentType?: string; status: number; message: RegExp }[] = [
    { name: "malformed JSON", body: () => '{"ticker": "BTCUSDT", "action": "buy",', status: 400, message: /not valid JSON/ },
    { name: "JSON that is not an object", body: () => '["buy", "BTCUSDT"]', status: 400, message: /must be a JSON object/ },
    { name: "an empty body", body: () => "  ", contentType: "text/plain", status: 400, message: /empty/ },
    { name: "an unknown symbol", body: () => alert({ ticker: "DOGEUSDT", action: "buy" }), status: 400, message: /Unknown symbol "DOGEUSDT"/ },
    { name: "a long's stop above the price", body: () => alert({ action: "buy", price: "32045.14", stop_loss: "33000" }), status: 400, message: /Stop-loss must be below the entry/ },
    { name: "a short's stop below the price", body: () => alert({ action: "short", price: "32045.14", sl: "31000" }), status: 400, message: /Stop-loss must be above the entry/ },
    { name: "a take-profit on the wrong side", body: () => alert({ action: "long", tp: "31000" }), status: 400, message: /Take-profit 1 \(31000\) must be above the entry/ },
    { name: "a back-dated price", body: () => alert({ action: "buy", price: "29000" }), status: 400, message: /from the market price 32045\.14/ },
    {
      name: `an alert older than ${env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS} s`,
      body: () => alert({ action: "buy", time: new Date(Date.now() - (env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS + 5) * 1000).toISOString() }),
      status: 400,
      message: new RegExp(`stale: it was sent ${env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS + 5} s ago, more than the ${env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS} s allowed`),
    },
    { name: "a stale text alert in unix seconds", body: () => `buy BTCUSDT time=${Math.floor(Date.now() / 1000) - 3600}`, contentType: "text/plain", status: 400, message: /stale/ },
    { name: "a cancel with nothing pending", body: () => alert({ action: "cancel" }), status: 409, message: /No pending limit entry on BTC\/USDT/ },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const p = await withWebhook();
      const before = await rowCounts();
      const a = await deliver(p.token, c.body(), c.contentType);
      expect(a.status).toBe(c.status);
      expect(a.body.error?.message).toMatch(c.message);
      expect(await rowCounts()).toEqual(before);
    });
  }

  it("an alert just inside the allowed age is accepted", async () => {
    const p = await withWebhook();
    const a = await deliver(p.token, alert({ action: "buy", time: new Date(Date.now() - (env.TRADINGVIEW_MAX_ALERT_AGE_SECONDS - 20) * 1000).toISOString() }));
    expect(a.status).toBe(201);
  });

  it("a refused delivery does not block the corrected retry of the same alert", async () => {
    const p = await withWebhook();
    const body = alert({ action: "buy", stop: "31000" });
    market.setPrice("BTC/USDT", "30500"); // the stop is now above the market: refused
    expect((await deliver(p.token, body)).status).toBe(400);
    market.setPrice("BTC/USDT", "32045.14");
    expect((await deliver(p.token, body)).status).toBe(201);
  });

  it("wrong tokens: a random tv_ token and garbage are 404 with a message, for any body", async () => {
    const p = await withWebhook();
    const before = await rowCounts();
    const body = alert({ action: "buy" });
    const tokens = [`tv_${"A".repeat(32)}`, `${p.token.slice(0, -1)}${p.token.endsWith("x") ? "y" : "x"}`, "garbage", "", "../../etc/passwd", `tv_${"a".repeat(200)}`];
    for (const token of tokens) {
      const a = await deliver(token, body);
      expect(a.status, token).toBe(404);
      expect(a.body.error?.message).toMatch(/Unknown webhook URL/);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("a rotated token stops working", async () => {
    const p = await withWebhook();
    const { url } = await p.caller.providers.rotateWebhook();
    const before = await rowCounts();
    expect((await deliver(p.token, alert({ action: "buy" }))).status).toBe(404);
    expect(await rowCounts()).toEqual(before);
    expect((await deliver(url.split("/").at(-1)!, alert({ action: "buy" }))).status).toBe(201);
  });

  it("with a passphrase set: a missing or wrong one is 401, the right one opens the signal", async () => {
    const p = await withWebhook();
    await p.caller.providers.setWebhookPassphrase({ passphrase: "open sesame 42" });
    expect(await p.caller.providers.webhook()).toMatchObject({ configured: true, passphrase: true });
    const before = await rowCounts();
    for (const extra of [{}, { passphrase: "open sesame 43" }, { passphrase: "" }, { secret: "OPEN SESAME 42" }]) {
      const a = await deliver(p.token, alert({ action: "buy", ...extra }));
      expect(a.status, JSON.stringify(extra)).toBe(401);
      expect(a.body.error?.message).toMatch(/passphrase is missing or wrong/);
      expect(JSON.stringify(a.body)).not.toContain("open sesame 42");
    }
    expect(await rowCounts()).toEqual(before);
    expect((await deliver(p.token, alert({ action: "buy", passphrase: "open sesame 42" }))).status).toBe(201);

    await p.caller.providers.setWebhookPassphrase({ passphrase: null });
    expect((await deliver(p.token, alert({ action: "sell" }))).status).toBe(200); // closes the long, no passphrase needed
  });

  it("a token only ever acts for its own provider", async () => {
    const [a, b] = [await withWebhook(), await withWebhook()];
    await publishSignal(actingAs(b.user), b.provider.id, { symbol: "BTC/USDT", side: "long" }, "ui");
    const exit = await deliver(a.token, alert({ action: "exit" }));
    expect(exit.status).toBe(409);
    expect((await signalsOf(b.provider.id))[0]!.status).toBe("open");
  });
});
