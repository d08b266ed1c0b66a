/**
 * The webhooks over HTTP on the production server (embedded database): TradingView alerts to the demo provider's
 * secret URL (made through tRPC as the settings page does, by the session the setup project saved) and Stripe
 * deliveries, which must carry Stripe's signature. The crash and race checks on PostgreSQL are in
 * tradingview-crash.spec.ts, on a server of their own.
 */
import { randomBytes } from "node:crypto";
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import { expect, storageState, test } from "../fixtures";
import { MARKET_DATA_DIR } from "../../playwright.config";

interface AlertAnswer {
  action?: string;
  duplicate?: boolean;
  signal?: { id: string };
  signals?: { id: string }[];
  closed?: { id: string }[];
  error?: { message: string } | string;
}

test.describe("TradingView", () => {
  let provider: APIRequestContext;
  test.beforeEach(async ({ baseURL }) => {
    provider = await playwrightRequest.newContext({ baseURL, storageState: storageState("provider") });
  });
  test.afterEach(() => provider.dispose());

  /** Rotates the demo provider's webhook secret and returns the new URL's path. */
  async function webhookPath(): Promise<string> {
    const res = await provider.post("/api/trpc/providers.rotateWebhook", { data: {} });
    expect(res.status(), await res.text()).toBe(200);
    const { url } = ((await res.json()) as { result: { data: { json: { url: string } } } }).result.data.json;
    expect(url).toMatch(/\/api\/webhooks\/tradingview\/tv_[\w-]+$/);
    return new URL(url).pathname;
  }

  test("an unknown secret is 404 and an alert it cannot read is 400, whatever is sent", async ({ request }) => {
    const unknown = await request.post(`/api/webhooks/tradingview/tv_${"A".repeat(32)}`, { data: { ticker: "BTCUSDT", action: "buy" } });
    expect(unknown.status()).toBe(404);
    expect(JSON.stringify(await unknown.json())).toMatch(/webhook/i);

    const path = await webhookPath();
    const unreadable = await request.post(path, { data: { ticker: "BTCUSDT", action: "dance" } });
    expect(unreadable.status()).toBe(400);
    expect(((await unreadable.json()) as AlertAnswer).error).toBeTruthy();
  });

  test("a buy opens, its redelivery is answered from the record, a sell closes it", async ({ request }) => {
    test.skip(!MARKET_DATA_DIR, "opening a position needs prices: recorded market data (MARKET_DATA_DIR or ../shared/data)");
    const path = await webhookPath();
    const run = randomBytes(4).toString("hex");
    const buy = JSON.stringify({ ticker: "BTCUSDT", action: "buy", alert_id: `e2e-buy-${run}` });
    const headers = { "content-type": "application/json" };

    const opened = await request.post(path, { headers, data: buy });
    expect(opened.status(), await opened.text()).toBe(201);
    const openedBody = (await opened.json()) as AlertAnswer;
    expect(openedBody.action).toBe("opened");
    const id = openedBody.signal!.id;

    const redelivered = await request.post(path, { headers, data: buy });
    expect(redelivered.status()).toBe(200);
    expect(await redelivered.json()).toMatchObject({ duplicate: true, action: "opened", signal: { id } });

    const sold = await request.post(path, { headers, data: JSON.stringify({ ticker: "BTCUSDT", action: "sell", alert_id: `e2e-sell-${run}` }) });
    expect(sold.status(), await sold.text()).toBe(200);
    const soldBody = (await sold.json()) as AlertAnswer;
    expect(soldBody.action).toBe("closed");
    expect([...(soldBody.signals ?? []), ...(soldBody.closed ?? [])].map((s) => s.id)).toContain(id);
  });
});

test.describe("Stripe", () => {
  const event = JSON.stringify({ id: "evt_e2e", object: "event", type: "invoice.paid", data: { object: { id: "in_e2e", object: "invoice" } } });

  test("a delivery without Stripe's signature, or with a forged one, is 400 and changes nothing", async ({ request }) => {
    const unsigned = await request.post("/api/webhooks/stripe", { headers: { "content-type": "application/json" }, data: event });
    expect(unsigned.status()).toBe(400);
    expect(await unsigned.json()).toEqual({ error: "Missing Stripe-Signature header" });

    const t = Math.floor(Date.now() / 1000);
    const forged = await request.post("/api/webhooks/stripe", {
      headers: { "content-type": "application/json", "stripe-signature": `t=${t},v1=${"0".repeat(64)}` },
      data: event,
    });
    expect(forged.status()).toBe(400);
    expect(((await forged.json()) as { error: string }).error).toMatch(/^Webhook signature verification failed/);
  });
});
