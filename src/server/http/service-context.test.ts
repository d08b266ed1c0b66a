/**
 * Route handlers' request scope (handleRequest): the answer carries `x-request-id`, every line logged for the request
 * carries that id (its end with route, status and duration; an unexpected failure's detail), and the services'
 * context made in it acts as the authenticated actor with the same id. The Stripe webhook endpoint as an example.
 */
import { describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/test/db";
import { LEVEL, useRequestLogs } from "@/test/logs";
import { sign, stripeEvent, useEmbeddedStripe } from "@/test/stripe";
import * as eventShapes from "@/server/services/billing/event-shapes";
import { POST as stripeWebhook } from "@/app/api/webhooks/stripe/route";
import { logger } from "@/server/logger";
import { handleRequest, requestServiceContext } from "./service-context";

// How many proxies in front are trusted: a client's own x-request-id is taken only from behind one.
const proxy = vi.hoisted(() => ({ hops: 1 }));
vi.mock("@/server/http/client-ip", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/http/client-ip")>()),
  trustedProxyHops: () => proxy.hops,
}));

useTestDatabase();
useEmbeddedStripe();
const logs = useRequestLogs();

const request = (headers: Record<string, string> = {}) => new Request("http://localhost:3000/api/example", { method: "POST", headers });

describe("handleRequest", () => {
  it("sends the request id back and logs the end of the request with it", async () => {
    const res = await handleRequest(request(), "/api/example", async ({ log }) => {
      log.info("working");
      return Response.json({ ok: true }, { status: 201 });
    });
    expect(res.status).toBe(201);
    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs.lines.map((l) => l.msg)).toEqual(["working", "request done"]);
    expect(logs.lines.every((l) => l.requestId === id)).toBe(true);
    expect(logs.lines[1]).toMatchObject({ level: LEVEL.debug, route: "/api/example", method: "POST", status: 201 });
    expect(typeof logs.lines[1]!.durationMs).toBe("number");
  });

  it("answers an unexpected failure with the generic 500 and logs its detail with the request id", async () => {
    const res = await handleRequest(request(), "/api/example", async () => {
      throw new Error("disk on fire");
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: "Something went wrong on our side. Please try again." } });
    const id = res.headers.get("x-request-id");
    expect(logs.lines.find((l) => l.msg === "request failed")).toMatchObject({ level: LEVEL.error, requestId: id, context: "POST /api/example" });
    expect(logs.lines.find((l) => l.msg === "request refused or failed")).toMatchObject({ level: LEVEL.warn, requestId: id, status: 500 });
  });

  it("gives lines logged without a request logger (Auth.js's, a webhook's inner steps) the request's id", async () => {
    const res = await handleRequest(request(), "/api/example", async () => {
      await Promise.resolve();
      logger.error({ code: "X" }, "auth error");
      return new Response(null, { status: 204 });
    });
    expect(logs.lines.find((l) => l.msg === "auth error")).toMatchObject({ level: LEVEL.error, requestId: res.headers.get("x-request-id") });
    logger.warn("outside any request");
    expect(logs.lines.find((l) => l.msg === "outside any request")).not.toHaveProperty("requestId");
  });

  it("sets the header on answers whose headers are immutable", async () => {
    const res = await handleRequest(request(), "/api/example", async () => Response.redirect("http://localhost:3000/elsewhere", 303));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("http://localhost:3000/elsewhere");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("makes the services' context with the request's id and logger, acting as the given actor only", async () => {
    let made: ReturnType<typeof requestServiceContext> | undefined;
    const res = await handleRequest(request({ "x-request-id": "edge-1" }), "/api/example", async ({ service }) => {
      made = service({ id: "usr_1", role: "provider", email: "p@example.com" } as never);
      made.log.info("in the service");
      return new Response(null, { status: 204 });
    });
    expect(res.headers.get("x-request-id")).toBe("edge-1");
    expect(made).toMatchObject({ actor: { id: "usr_1", role: "provider" }, requestId: "edge-1", ip: null });
    expect(made!.actor).toEqual({ id: "usr_1", role: "provider" });
    expect(made!.now).toBeInstanceOf(Date);
    expect(logs.lines.find((l) => l.msg === "in the service")?.requestId).toBe("edge-1");
  });

  it("makes its own id when no trusted proxy set the header (a client must not choose the id it is logged under)", async () => {
    proxy.hops = 0;
    try {
      const res = await handleRequest(request({ "x-request-id": "chosen-by-client" }), "/api/example", async () => new Response(null, { status: 204 }));
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(logs.lines.some((l) => l.requestId === "chosen-by-client")).toBe(false);
    } finally {
      proxy.hops = 1;
    }
  });
});

describe("the Stripe webhook endpoint in its request scope", () => {
  const post = (body: string, signature: string) =>
    stripeWebhook(new Request("http://localhost:3000/api/webhooks/stripe", { method: "POST", headers: { "content-type": "application/json", "stripe-signature": signature }, body }));

  it("answers a refused delivery with its request id, logged as a warning with the route", async () => {
    const res = await post("{}", "t=1,v1=bad");
    expect(res.status).toBe(400);
    const id = res.headers.get("x-request-id");
    expect(logs.lines.find((l) => l.msg === "request refused or failed")).toMatchObject({ level: LEVEL.warn, requestId: id, route: "/api/webhooks/stripe", status: 400 });
  });

  it("logs a failed delivery's error with its request id", async () => {
    vi.spyOn(eventShapes, "stripeEventShapeProblem").mockImplementationOnce(() => {
      throw new Error("handler bug");
    });
    const body = JSON.stringify(stripeEvent("account.updated", { id: "acct_log_1", object: "account" }));
    const res = await post(body, sign(body));
    expect(res.status).toBe(500);
    const id = res.headers.get("x-request-id");
    expect(logs.lines.find((l) => l.msg === "stripe webhook failed")).toMatchObject({ level: LEVEL.error, requestId: id });
  });
});
