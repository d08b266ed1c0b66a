/**
 * One error vocabulary at every edge (issue 10): each domain error kind has one HTTP status, whether tRPC, the REST
 * API or the TradingView webhook answers it, and bad input carries its field errors the same way on each. The same
 * refused publication, sent the three ways a provider can send it, gets the same status, message and field errors;
 * the browser reads those field errors from the tRPC client's error with `serverFieldErrors`.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import superjson from "superjson";
import { TRPCClientError, createTRPCClient, httpLink } from "@trpc/client";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { useTestDatabase } from "@/test/db";
import { edgeRoutes, session } from "@/test/edge-routes";
import { useFakeMarket } from "@/test/fake-market";
import { jsonRequest, newApiKey, newProvider, rowCounts } from "@/test/signals";
import type { AppRouter } from "@/server/api/root";
import { toTRPCError } from "@/server/api/errors";
import {
  ConflictError,
  DomainError,
  ERROR_KINDS,
  ForbiddenError,
  LimitExceededError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
  errorBody,
  type ErrorKind,
} from "@/server/errors";
import { fromError } from "@/server/http/respond";
import { resetRateLimits } from "@/server/rate-limit";
import { serverFieldErrors } from "@/trpc/field-errors";

vi.mock("@/server/auth", () => import("@/test/edge-routes"));
const { trpcRoute, restRoute, tradingViewRoute } = await edgeRoutes();

useTestDatabase();
const market = useFakeMarket();
beforeEach(() => {
  resetRateLimits();
  session.user = null;
  market.setPrice("BTC/USDT", "32045.14");
});

/** One error of each kind; a kind added to the vocabulary does not compile here until it is listed. */
const ONE_OF_EACH: Record<ErrorKind, DomainError> = {
  invalid: new ValidationError("Stop-loss must be below the entry", { stopLoss: ["Stop-loss must be below the entry"] }),
  unauthorized: new UnauthorizedError("Sign in to continue"),
  forbidden: new ForbiddenError("Admins only"),
  not_found: new NotFoundError("Signal not found"),
  conflict: new ConflictError("No open signal on BTC/USDT to exit."),
  limit: new LimitExceededError("Too many requests"),
};

describe("the mapping", () => {
  for (const [kind, err] of Object.entries(ONE_OF_EACH) as [ErrorKind, DomainError][]) {
    it(`${kind}: tRPC and the REST/webhook responder answer ${ERROR_KINDS[kind].status}, with the same message`, async () => {
      const trpc = toTRPCError(err);
      expect(trpc.code).toBe(ERROR_KINDS[kind].trpc);
      expect(getHTTPStatusCodeFromError(trpc)).toBe(ERROR_KINDS[kind].status);
      expect(trpc.message).toBe(err.message);
      const res = fromError(err, "test");
      expect(res.status).toBe(ERROR_KINDS[kind].status);
      expect(await res.json()).toEqual(errorBody(err.message, err instanceof ValidationError ? err.fieldErrors : undefined));
    });
  }

  it("gives every kind its own status", () => {
    const statuses = Object.values(ERROR_KINDS).map((k) => k.status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });
});

// ---- The same refusal the three ways in ---------------------------------------------------------------------------

interface Answer {
  status: number;
  message: string;
  fieldErrors: Record<string, string[]>;
}

type Sender = Awaited<ReturnType<typeof newProvider>> & { apiKey: string; webhookToken: string };

async function sender(): Promise<Sender> {
  const p = await newProvider();
  const { url } = await p.caller.providers.rotateWebhook();
  return { ...p, apiKey: await newApiKey(p), webhookToken: url.split("/").at(-1)! };
}

/** The web form's way: the browser's tRPC client over the real route handler. */
async function viaTRPC(p: Sender, input: Record<string, unknown>): Promise<Answer> {
  session.user = { id: p.user.id, role: "provider" };
  const client = createTRPCClient<AppRouter>({
    links: [httpLink({ url: "http://localhost:3000/api/trpc", transformer: superjson, fetch: (url, init) => trpcRoute.POST(new Request(url, init as RequestInit) as never) })],
  });
  try {
    await client.signals.publish.mutate(input as never);
  } catch (err) {
    if (!(err instanceof TRPCClientError)) throw err;
    const error = err as TRPCClientError<AppRouter>;
    return { status: error.data?.httpStatus ?? 0, message: error.message, fieldErrors: serverFieldErrors(error) };
  }
  throw new Error("tRPC accepted the publication");
}

async function viaREST(p: Sender, input: Record<string, unknown>): Promise<Answer> {
  const res = await restRoute.POST(jsonRequest("http://localhost:3000/api/v1/signals", "POST", input, { authorization: `Bearer ${p.apiKey}` }));
  const body = (await res.json()) as { error: { message: string; fieldErrors?: Record<string, string[]> } };
  return { status: res.status, message: body.error.message, fieldErrors: body.error.fieldErrors ?? {} };
}

async function viaTradingView(p: Sender, alert: Record<string, unknown>): Promise<Answer> {
  const res = await tradingViewRoute.POST(
    new Request(`http://localhost:3000/api/webhooks/tradingview/${p.webhookToken}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alert) }),
    { params: Promise.resolve({ token: p.webhookToken }) },
  );
  const body = (await res.json()) as { error: { message: string; fieldErrors?: Record<string, string[]> } };
  return { status: res.status, message: body.error.message, fieldErrors: body.error.fieldErrors ?? {} };
}

describe("the same refused publication, the three ways in", () => {
  it("a long's stop-loss above the entry is a 400 with the same message and field error from tRPC, REST and TradingView", async () => {
    const p = await sender();
    const before = await rowCounts();
    const expected = { status: 400, message: expect.stringMatching(/Stop-loss must be below the entry \(32045\.14\) for a long/), fieldErrors: { stopLoss: [expect.stringMatching(/Stop-loss must be below the entry/)] } };
    const trpc = await viaTRPC(p, { symbol: "BTC/USDT", side: "long", stopLoss: "33000" });
    const rest = await viaREST(p, { symbol: "BTC/USDT", side: "long", stopLoss: "33000" });
    const tradingView = await viaTradingView(p, { ticker: "BTCUSDT", action: "buy", stop_loss: "33000" });
    expect(trpc).toEqual(expected);
    expect(rest).toEqual(trpc);
    expect(tradingView).toEqual(trpc);
    expect(await rowCounts()).toEqual(before);
  });

  it("a side that is neither long nor short is a 400 naming the field, whether tRPC's input parser or the service's schema refuses it", async () => {
    const p = await sender();
    const trpc = await viaTRPC(p, { symbol: "BTC/USDT", side: "sideways" });
    const rest = await viaREST(p, { symbol: "BTC/USDT", side: "sideways" });
    expect(trpc.status).toBe(400);
    expect(Object.keys(trpc.fieldErrors)).toEqual(["side"]);
    expect(rest).toEqual(trpc);
  });

  it("an unknown symbol is a 400 on the webhook as on tRPC and REST", async () => {
    const p = await sender();
    const statuses = [
      (await viaTRPC(p, { symbol: "DOGE/USDT", side: "long" })).status,
      (await viaREST(p, { symbol: "DOGE/USDT", side: "long" })).status,
      (await viaTradingView(p, { ticker: "DOGEUSDT", action: "buy" })).status,
    ];
    expect(statuses).toEqual([400, 400, 400]);
  });
});
