/**
 * Every route that reads a request body stops at its limit: a body declared too large is refused before a byte is
 * read, and one streamed without a length is read only up to the limit. Before, each route read the whole body (a
 * 200 MB tRPC call was parsed whole; four at once took 2 GB of memory), then looked at its size.
 */
import { describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/test/db";
import { newApiKey, newProvider } from "@/test/signals";

vi.mock("@/server/auth", async (importOriginal) => ({ ...(await importOriginal<typeof import("@/server/auth")>()), auth: async () => null }));

useTestDatabase();

const MB = 1024 * 1024;

/** A body of `total` bytes produced as it is read, counting what was read. */
function lazyBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const seen = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.bytes >= total) return controller.close();
      seen.bytes += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, seen };
}

const post = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers }, duplex: "half" } as RequestInit);

const routes: { name: string; limit: number; call(req: Request): Promise<Response> }[] = [
  {
    name: "POST /api/trpc/auth.requestPasswordReset",
    limit: MB,
    async call(req) {
      const { POST } = await import("@/app/api/trpc/[trpc]/route");
      return POST(req as never);
    },
  },
  {
    name: "POST /api/webhooks/tradingview/<token>",
    limit: 10 * 1024,
    async call(req) {
      const { POST } = await import("@/app/api/webhooks/tradingview/[token]/route");
      return POST(req, { params: Promise.resolve({ token: "tv_aaaaaaaaaaaaaaaaaaaaaaaa" }) });
    },
  },
  {
    name: "POST /api/webhooks/stripe",
    limit: 512 * 1024,
    async call(req) {
      const { POST } = await import("@/app/api/webhooks/stripe/route");
      return POST(req);
    },
  },
  {
    name: "POST /api/v1/signals",
    limit: 64 * 1024,
    async call(req) {
      const { POST } = await import("@/app/api/v1/signals/route");
      return POST(req);
    },
  },
  {
    name: "POST /api/auth/callback/credentials",
    limit: 64 * 1024,
    async call(req) {
      const { POST } = await import("@/app/api/auth/[...nextauth]/route");
      return POST(req as never);
    },
  },
];

describe("request body limits", () => {
  for (const r of routes) {
    it(`${r.name}: a body over ${r.limit / 1024} KB is refused with 413, having read at most the limit`, async () => {
      const url = `http://localhost:3000${r.name.split(" ")[1]!.replace("<token>", "tv_aaaaaaaaaaaaaaaaaaaaaaaa")}`;
      // The REST API reads a body only for a caller whose key is valid.
      const auth: Record<string, string> = r.name.includes("/v1/") ? { authorization: `Bearer ${await newApiKey(await newProvider())}` } : {};
      // Streamed, with no length: read only up to the limit.
      const streamed = lazyBody(20 * MB);
      const res = await r.call(post(url, streamed.stream, auth));
      expect(res.status).toBe(413);
      expect(streamed.seen.bytes).toBeLessThanOrEqual(r.limit + 128 * 1024);
      // Declared too large: refused before reading.
      const declared = lazyBody(20 * MB);
      const res2 = await r.call(post(url, declared.stream, { ...auth, "content-length": String(20 * MB) }));
      expect(res2.status).toBe(413);
      expect(declared.seen.bytes).toBeLessThanOrEqual(128 * 1024);
    });
  }
});
