/**
 * The provider REST API with bad input (issue 9, defect 3): every malformed request is a 4xx with a message for
 * people, never a 500, and writes nothing.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useFakeMarket } from "@/test/fake-market";
import { jsonRequest, newApiKey, newProvider, rowCounts } from "@/test/signals";
import { resetRateLimits } from "@/server/rate-limit";
import * as route from "./route";

useTestDatabase();
useFakeMarket();
beforeEach(() => resetRateLimits());

const URL = "http://localhost:3000/api/v1/signals";

async function publisher() {
  const p = await newProvider();
  return { ...p, auth: { authorization: `Bearer ${await newApiKey(p)}` } };
}

async function post(auth: Record<string, string>, body: unknown) {
  const res = await route.POST(jsonRequest(URL, "POST", body, auth));
  return { status: res.status, body: (await res.json()) as { error?: { message: string; fieldErrors?: Record<string, string[]> } } };
}

describe("POST /api/v1/signals with a price that is not a number", () => {
  it("answers 400 naming the field, not 500, and writes nothing", async () => {
    const p = await publisher();
    const before = await rowCounts();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ symbol: "BTC/USDT", side: "long", stopLoss: "abc" }, "stopLoss", /Stop-loss must be a positive number/],
      [{ symbol: "BTC/USDT", side: "long", entryType: "limit", entryPrice: "1.2.3" }, "entryPrice", /Entry price must be a positive number/],
      [{ symbol: "BTC/USDT", side: "long", takeProfits: [{ price: "34k", share: "half" }] }, "takeProfits", /Take-profit price must be a positive number/],
    ];
    for (const [input, field, message] of cases) {
      const { status, body } = await post(p.auth, input);
      expect(status, JSON.stringify(input)).toBe(400);
      expect(body.error?.message, JSON.stringify(input)).toMatch(message);
      expect(JSON.stringify(body)).not.toMatch(/DecimalError/);
      expect(Object.keys(body.error?.fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
    }
    expect(await rowCounts()).toEqual(before);
  });
});

describe("/api/v1/signals with a control character in the request", () => {
  it("POST: 400 naming the field (values and keys, however deep), not 500, and writes nothing", async () => {
    const p = await publisher();
    const before = await rowCounts();
    const cases: [string, unknown, string, RegExp][] = [
      ["NUL in the note", { symbol: "BTC/USDT", side: "long", note: "hold\u0000" }, "note", /Note contains a control character \(U\+0000\)/],
      ["NUL in the symbol", { symbol: "BTC\u0000USDT", side: "long" }, "symbol", /Symbol contains a control character/],
      ["U+001B in a take-profit", { symbol: "BTC/USDT", side: "long", takeProfits: [{ price: "34000", share: "1\u001b" }] }, "takeProfits", /Share contains a control character \(U\+001B\)/],
      ["NUL in a key", { symbol: "BTC/USDT", side: "long", ["note\u0000"]: "x" }, "note\u0000", /A field name contains a control character/],
    ];
    const got: Record<string, unknown> = {};
    const want: Record<string, unknown> = {};
    for (const [name, input, field, message] of cases) {
      const { status, body } = await post(p.auth, input);
      got[name] = { status, message: body.error?.message, fields: Object.keys(body.error?.fieldErrors ?? {}) };
      want[name] = { status: 400, message: expect.stringMatching(message), fields: [field] };
    }
    expect(got).toEqual(want);
    expect(await rowCounts()).toEqual(before);
  });

  it("GET: a control character in the query is a 400", async () => {
    const p = await publisher();
    const res = await route.GET(new Request(`${URL}?status=live%00`, { headers: p.auth }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Status contains a control character/);
  });
});

describe("/api/v1/signals answers carry the provider's own data", () => {
  it("so no cache may keep them: Cache-Control private, no-store on reads, writes and refusals", async () => {
    const p = await newProvider();
    const key = await newApiKey(p);
    const auth = { authorization: `Bearer ${key}` };
    const answers = [
      await route.GET(jsonRequest("http://localhost:3000/api/v1/signals?status=live", "GET", undefined, auth)),
      await route.POST(jsonRequest("http://localhost:3000/api/v1/signals", "POST", { symbol: "BTC/USDT", side: "long" }, auth)),
      await route.POST(jsonRequest("http://localhost:3000/api/v1/signals", "POST", { symbol: "NOPE", side: "long" }, auth)),
      await route.GET(jsonRequest("http://localhost:3000/api/v1/signals", "GET")),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 201, 400, 401]);
    for (const r of answers) expect(r.headers.get("cache-control")).toBe("private, no-store");
  });
});
