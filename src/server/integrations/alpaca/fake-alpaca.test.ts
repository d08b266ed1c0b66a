/**
 * The fake Alpaca broker over plain HTTP: the rules the venue's tests rely on (keys, client order ids unique for
 * ever, market hours, fractions, per-key faults), in Alpaca's shapes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FAKE_ALPACA_KEY, startFakeAlpaca, type FakeAlpaca, type FakeAlpacaKey } from "./fake-alpaca";

const OTHER_KEY: FakeAlpacaKey = { keyId: "PKFAKEALPACA00000009", secret: "fakeAlpacaSecret000000000000000000000009" };

let fake: FakeAlpaca;
beforeAll(async () => {
  fake = await startFakeAlpaca({ keys: [FAKE_ALPACA_KEY, OTHER_KEY] });
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());
afterEach(() => {
  expect(fake.unexpected).toEqual([]);
});

async function call(method: string, path: string, body?: unknown, key: FakeAlpacaKey | null = FAKE_ALPACA_KEY, signal?: AbortSignal) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key) {
    headers["APCA-API-KEY-ID"] = key.keyId;
    headers["APCA-API-SECRET-KEY"] = key.secret;
  }
  const res = await fetch(`${fake.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

const market = (clientOrderId: string, qty = "1", extra: Record<string, unknown> = {}) => ({ symbol: "GOOG", qty, side: "buy", type: "market", time_in_force: "day", client_order_id: clientOrderId, ...extra });

describe("fake Alpaca", () => {
  it("checks both key headers and records requests without them", async () => {
    expect(await call("GET", "/v2/account", undefined, null)).toEqual({ status: 401, body: { code: 40110000, message: "request is not authorized" } });
    expect((await call("GET", "/v2/account", undefined, { ...FAKE_ALPACA_KEY, secret: "nope" })).status).toBe(401);
    const account = await call("GET", "/v2/account");
    expect(account.body).toMatchObject({ status: "ACTIVE", cash: "100000.00", buying_power: "100000.00", trading_blocked: false, currency: "USD" });
    const recorded = JSON.stringify(fake.requests);
    expect(recorded).not.toContain(FAKE_ALPACA_KEY.secret);
    expect(fake.requests.every((r) => !("apca-api-secret-key" in r.headers) && !("apca-api-key-id" in r.headers))).toBe(true);
  });

  it("keeps a client order id for ever: after a fill and after a cancel", async () => {
    const placed = await call("POST", "/v2/orders", market("id-1"));
    expect(placed.body).toMatchObject({ status: "filled", client_order_id: "id-1", qty: "1", filled_qty: "1", filled_avg_price: "806.19", asset_class: "us_equity" });
    expect(await call("POST", "/v2/orders", market("id-1"))).toEqual({ status: 422, body: { code: 40010001, message: "client_order_id must be unique" } });

    fake.setClock({ isOpen: false });
    const resting = await call("POST", "/v2/orders", market("id-2"));
    expect(resting.body).toMatchObject({ status: "accepted", filled_qty: "0", filled_avg_price: null });
    expect((await call("DELETE", `/v2/orders/${String(resting.body!.id)}`)).status).toBe(204);
    expect(await call("DELETE", `/v2/orders/${String(resting.body!.id)}`)).toEqual({ status: 422, body: { code: 42210000, message: "order is not cancelable" } });
    expect((await call("POST", "/v2/orders", market("id-2"))).body).toEqual({ code: 40010001, message: "client_order_id must be unique" });
    // Another account may use the same id.
    expect((await call("POST", "/v2/orders", market("id-2"), OTHER_KEY)).status).toBe(200);

    expect((await call("GET", "/v2/orders:by_client_order_id?client_order_id=id-2")).body).toMatchObject({ id: resting.body!.id, status: "canceled" });
    expect(await call("GET", "/v2/orders:by_client_order_id?client_order_id=nope")).toEqual({ status: 404, body: { code: 40410000, message: "order not found" } });
  });

  it("queues a market order outside hours and fills it at the open; positions follow the fills", async () => {
    const nextOpen = new Date("2030-01-07T14:30:00.000Z");
    fake.setClock({ isOpen: false, nextOpen });
    expect((await call("GET", "/v2/clock")).body).toMatchObject({ is_open: false, next_open: nextOpen.toISOString() });
    const queued = await call("POST", "/v2/orders", market("q-1", "2"));
    expect(queued.body).toMatchObject({ status: "accepted" });
    expect(await call("GET", "/v2/positions/GOOG")).toEqual({ status: 404, body: { code: 40410000, message: "position does not exist" } });
    fake.setPrice("GOOG", "810.00");
    fake.setClock({ isOpen: true });
    expect((await call("GET", `/v2/orders/${String(queued.body!.id)}`)).body).toMatchObject({ status: "filled", filled_avg_price: "810.00" });
    expect((await call("GET", "/v2/positions/GOOG")).body).toMatchObject({ symbol: "GOOG", qty: "2", avg_entry_price: "810.0000", side: "long" });
    expect(fake.account(FAKE_ALPACA_KEY.keyId)).toEqual({ cash: "98380", positions: { GOOG: "2" } });
  });

  it("takes fractions only on fractionable stocks, as DAY orders, worth $1 or more", async () => {
    expect((await call("POST", "/v2/orders", market("f-1", "0.5"))).body).toMatchObject({ status: "filled", qty: "0.5" });
    expect((await call("POST", "/v2/orders", market("f-2", "0.5", { time_in_force: "gtc" }))).body).toEqual({ code: 40010001, message: "fractional orders must be DAY orders" });
    expect((await call("POST", "/v2/orders", market("f-3", "0.5", { symbol: "BRK.A" }))).body).toEqual({ code: 40010001, message: "requested asset BRK.A is not fractionable" });
    expect(await call("POST", "/v2/orders", market("f-4", "0.001"))).toEqual({ status: 403, body: { code: 40310000, message: "cost basis must be >= 1" } });
    expect((await call("POST", "/v2/orders", market("f-5", "0.0000000001"))).status).toBe(422);
  });

  it("refuses buys beyond buying power and sells beyond the shares held", async () => {
    expect(await call("POST", "/v2/orders", market("b-1", "200"))).toEqual({
      status: 403,
      body: { code: 40310000, message: "insufficient buying power", buying_power: "100000.00", cost_basis: "161238.00" },
    });
    expect((await call("POST", "/v2/orders", market("s-1", "1", { side: "sell" }))).body).toMatchObject({ code: 40310000, message: "insufficient qty available for order (requested: 1, available: 0)" });
  });

  it("applies a fault to one key only; accept-then-timeout keeps the order it accepted", async () => {
    fake.fault({ method: "POST", path: "/v2/orders", mode: "5xx", keyId: OTHER_KEY.keyId });
    expect((await call("POST", "/v2/orders", market("k-1"))).status).toBe(200);
    expect(await call("POST", "/v2/orders", market("k-2"), OTHER_KEY)).toEqual({ status: 500, body: { code: 50010000, message: "internal server error occurred" } });
    expect(fake.orders.map((o) => o.clientOrderId)).toEqual(["k-1"]);

    fake.fault({ method: "POST", path: "/v2/orders", mode: "accept-then-timeout", afterMs: 5_000 });
    await expect(call("POST", "/v2/orders", market("k-3"), FAKE_ALPACA_KEY, AbortSignal.timeout(200))).rejects.toThrow();
    expect(fake.orders.map((o) => [o.clientOrderId, o.status])).toEqual([
      ["k-1", "filled"],
      ["k-3", "filled"],
    ]);
  });
});
