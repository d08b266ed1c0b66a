/**
 * The floor under every public write (issue 17): each tRPC mutation is limited per signed-in account and per client
 * address, each REST write per API key and per address, each TradingView alert per webhook token; a refusal is a
 * 429 carrying Retry-After, and a refused call writes nothing. Budgets are used up through the store directly (the
 * same `take` the edges call) so the test does not send hundreds of requests; the last request goes through the
 * real route handler.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import superjson from "superjson";
import { TRPCClientError, createTRPCClient } from "@trpc/client";
import type { AppRouter } from "@/server/api/root";
import { transportLinks } from "@/trpc/links";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { edgeRoutes, session } from "@/test/edge-routes";
import { useEnvOverrides } from "@/test/env";
import { useFakeMarket } from "@/test/fake-market";
import { createUser } from "@/test/factories";
import { jsonRequest, newApiKey, newProvider, newProviderWithWebhook, rowCounts } from "@/test/signals";
import { MUTATION_LIMITS } from "@/server/api/trpc";
import { users } from "@/server/db/schema";
import { authenticateApiKey } from "@/server/services/api-keys";
import { resetRateLimits, take, type LimitName } from "@/server/rate-limit";
import { UNKNOWN_ADDRESS } from "@/server/http/client-ip";

vi.mock("@/server/auth", () => import("@/test/edge-routes"));
const { trpcRoute, restRoute, tradingViewRoute } = await edgeRoutes();

const t = useTestDatabase();
const market = useFakeMarket();
const setEnv = useEnvOverrides();
beforeEach(async () => {
  await resetRateLimits();
  session.user = null;
  setEnv("TRUSTED_PROXY_HOPS", 1);
  market.setPrice("BTC/USDT", "32045.14");
});

async function useUp(name: LimitName, key: string, points: number, seconds: number) {
  for (let i = 0; i < points; i++) expect(await take(name, key, points, seconds)).toBeNull();
}

function updateProfile(name: string, ip: string) {
  const req = new Request("http://localhost/api/trpc/account.updateProfile", {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify(superjson.serialize({ name })),
  });
  return trpcRoute.POST(req as never);
}

function expect429(res: Response) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

const nameOf = async (id: string) => (await t.db.select({ name: users.name }).from(users).where(eq(users.id, id)))[0]!.name;

describe("tRPC mutations", () => {
  it("are refused 429 with Retry-After once the account's budget is used up, from any address; another account goes on", async () => {
    const user = await createUser("subscriber");
    const other = await createUser("subscriber");
    const { perAccount } = MUTATION_LIMITS;
    await useUp("mutation-account", user.id, perAccount.points, perAccount.seconds);
    session.user = user;
    const refused = await updateProfile("Refused name", "198.51.100.20");
    expect429(refused);
    expect(JSON.stringify(await refused.json())).toMatch(/Too many attempts/);
    expect(await nameOf(user.id)).not.toBe("Refused name");
    session.user = other;
    expect((await updateProfile("Allowed name", "198.51.100.20")).status).toBe(200);
    expect(await nameOf(other.id)).toBe("Allowed name");
  });

  it("are refused 429 with Retry-After once the address's budget is used up, whoever signs in; another address goes on", async () => {
    const user = await createUser("subscriber");
    const { perAddress } = MUTATION_LIMITS;
    await useUp("mutation-ip", "198.51.100.21", perAddress.points, perAddress.seconds);
    session.user = user;
    expect429(await updateProfile("From a flooding address", "198.51.100.21"));
    expect(await nameOf(user.id)).not.toBe("From a flooding address");
    expect((await updateProfile("From elsewhere", "198.51.100.22")).status).toBe(200);
  });

  it("batched (the browser's httpBatchLink, ?batch=1) are refused 429 with Retry-After too", async () => {
    const user = await createUser("subscriber");
    const { perAccount } = MUTATION_LIMITS;
    await useUp("mutation-account", user.id, perAccount.points, perAccount.seconds);
    session.user = user;
    const res = await trpcRoute.POST(
      new Request("http://localhost/api/trpc/account.updateProfile?batch=1", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.24" },
        body: JSON.stringify({ 0: superjson.serialize({ name: "Batched" }) }),
      }) as never,
    );
    expect429(res);
    expect(JSON.stringify(await res.json())).toMatch(/TOO_MANY_REQUESTS/);
    expect(await nameOf(user.id)).not.toBe("Batched");
  });

  it("from the browser's client (its links) answer HTTP 429 with Retry-After, not a 200 stream carrying the refusal", async () => {
    const user = await createUser("subscriber");
    const { perAccount } = MUTATION_LIMITS;
    await useUp("mutation-account", user.id, perAccount.points, perAccount.seconds);
    session.user = user;
    const answers: Response[] = [];
    const client = createTRPCClient<AppRouter>({
      links: [
        transportLinks({
          url: "http://localhost/api/trpc",
          fetch: async (input, init) => {
            const res = await trpcRoute.POST(new Request(input as string, init) as never);
            answers.push(res.clone());
            return res;
          },
        }),
      ],
    });
    const refused = await client.account.updateProfile.mutate({ name: "From the browser" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect((refused as TRPCClientError<AppRouter>).data?.code).toBe("TOO_MANY_REQUESTS");
    expect(answers).toHaveLength(1);
    expect429(answers[0]!);
    expect(await nameOf(user.id)).not.toBe("From the browser");
  });

  it("skip the per-address floor when the address is unknown (no trusted proxy): anonymous callers do not share one bucket", async () => {
    setEnv("TRUSTED_PROXY_HOPS", 0);
    const { perAddress } = MUTATION_LIMITS;
    await useUp("mutation-ip", UNKNOWN_ADDRESS, perAddress.points, perAddress.seconds);
    const res = await trpcRoute.POST(
      new Request("http://localhost/api/trpc/auth.verifyEmail", {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": "198.51.100.25" },
        body: JSON.stringify(superjson.serialize({ token: "a".repeat(43) })),
      }) as never,
    );
    // The action itself answers (an unknown link), not the shared floor.
    expect(res.status).not.toBe(429);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it("count each call: the budget's last call passes, the next is refused", async () => {
    const user = await createUser("subscriber");
    const { perAccount } = MUTATION_LIMITS;
    for (let i = 0; i < perAccount.points - 1; i++) await take("mutation-account", user.id, perAccount.points, perAccount.seconds);
    session.user = user;
    expect((await updateProfile("Last one", "198.51.100.23")).status).toBe(200);
    expect429(await updateProfile("One too many", "198.51.100.23"));
  });
});

describe("REST writes", () => {
  const body = { symbol: "BTC/USDT", side: "long", stopLoss: "31000" };
  const publish = (key: string, ip: string) =>
    restRoute.POST(jsonRequest("http://localhost/api/v1/signals", "POST", body, { authorization: `Bearer ${key}`, "x-forwarded-for": ip }));

  it("are refused 429 with Retry-After once the API key's budget is used up, and write nothing", async () => {
    const p = await newProvider();
    const key = await newApiKey(p);
    const auth = await authenticateApiKey(key);
    await useUp("rest-write-key", auth!.keyId, restRoute.REST_WRITE_LIMITS.perKey.points, restRoute.REST_WRITE_LIMITS.perKey.seconds);
    const before = await rowCounts();
    expect429(await publish(key, "198.51.100.30"));
    expect(await rowCounts()).toEqual(before);
    // Another provider's key is untouched.
    const q = await newProvider();
    expect((await publish(await newApiKey(q), "198.51.100.30")).status).toBe(201);
  });

  it("are refused 429 with Retry-After once the address's budget is used up, before the key is even looked up", async () => {
    const p = await newProvider();
    const key = await newApiKey(p);
    await useUp("rest-write-ip", "198.51.100.31", restRoute.REST_WRITE_LIMITS.perAddress.points, restRoute.REST_WRITE_LIMITS.perAddress.seconds);
    const before = await rowCounts();
    expect429(await publish(key, "198.51.100.31"));
    expect429(await publish("tsk_madeupmadeupmadeupmadeupmadeupma", "198.51.100.31"));
    expect(await rowCounts()).toEqual(before);
    expect((await publish(key, "198.51.100.32")).status).toBe(201);
  });
});

describe("the TradingView webhook", () => {
  it("is limited per token (not per address: TradingView sends everyone's alerts from four addresses)", async () => {
    const p = await newProviderWithWebhook();
    const q = await newProviderWithWebhook();
    await useUp("tradingview-token", p.token, 120, 60);
    const alert = (token: string) =>
      tradingViewRoute.POST(jsonRequest(`http://localhost/api/webhooks/tradingview/${token}`, "POST", { ticker: "BTCUSDT", action: "buy", alert_id: `a-${token}` }, { "x-forwarded-for": "52.89.214.238" }), {
        params: Promise.resolve({ token }),
      });
    const before = await rowCounts();
    expect429(await alert(p.token));
    expect(await rowCounts()).toEqual(before);
    expect((await alert(q.token)).status).toBe(201);
  });

  it("takes its budget from TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE, and 0 turns it off (TradingView never retries a refused alert)", async () => {
    const p = await newProviderWithWebhook();
    const q = await newProviderWithWebhook();
    const alert = (token: string, n: number) =>
      tradingViewRoute.POST(jsonRequest(`http://localhost/api/webhooks/tradingview/${token}`, "POST", { ticker: "BTCUSDT", action: "buy", alert_id: `b-${n}` }, { "x-forwarded-for": "52.89.214.238" }), {
        params: Promise.resolve({ token }),
      });
    setEnv("TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE", 2);
    expect((await alert(p.token, 1)).status).toBe(201);
    expect((await alert(p.token, 2)).status).toBe(201);
    expect429(await alert(p.token, 3));
    // Off: even a token whose default budget (120) is used up goes on.
    setEnv("TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE", 0);
    await useUp("tradingview-token", q.token, 120, 60);
    expect((await alert(q.token, 4)).status).toBe(201);
  });
});

describe("API key creation", () => {
  it("is limited per account: 20 an hour, then 429 with Retry-After, and no key made", async () => {
    const p = await newProvider();
    await useUp("api-key-create", p.user.id, 20, 3600);
    session.user = p.user;
    const before = await rowCounts();
    const res = await trpcRoute.POST(
      new Request("http://localhost/api/trpc/apiKeys.create", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(superjson.serialize({ name: "one more" })) }) as never,
    );
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(3000);
    expect(await rowCounts()).toEqual(before);
  });
});
