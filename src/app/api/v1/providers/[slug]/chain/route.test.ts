import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { useTestDatabase } from "@/test/db";
import { createUser } from "@/test/factories";
import { db } from "@/server/db";
import { providers, signals } from "@/server/db/schema";
import { GENESIS_HASH, checkSignalStates, publishedEventData, verifyChain } from "@/lib/chain";
import { appendChainEntry, type PublicChain } from "@/server/services/chain";
import * as route from "./route";

useTestDatabase();

const get = (slug: string) => route.GET(new Request(`http://localhost:3000/api/v1/providers/${slug}/chain`), { params: Promise.resolve({ slug }) });

async function providerWithSignals() {
  const user = await createUser("provider");
  const provider = (await db.query.providers.findFirst({ where: eq(providers.userId, user.id) }))!;
  for (const [number, status] of [[1, "closed"], [2, "open"]] as const) {
    const publishedAt = new Date(Date.UTC(2026, 10, 21, 6, 30 + number));
    await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(signals)
        .values({
          providerId: provider.id,
          number,
          symbol: "BTC/USDT",
          side: "short",
          entryType: "market",
          entryPrice: "65000",
          initialStop: "66000",
          stopLoss: "66000",
          source: "api",
          status: "open",
          publishedAt,
          filledAt: publishedAt,
          fillPrice: "65000",
          prevHash: GENESIS_HASH,
          hash: GENESIS_HASH,
        })
        .returning();
      const entry = await appendChainEntry(tx, { providerId: provider.id, signalId: row!.id, kind: "published", at: publishedAt, data: publishedEventData(row!) });
      await tx.update(signals).set({ prevHash: entry.prevHash, hash: entry.hash }).where(eq(signals.id, row!.id));
      if (status === "closed") {
        const closedAt = new Date(publishedAt.getTime() + 3_600_000);
        await tx.update(signals).set({ status, closedAt, exitPrice: "64000", exitReason: "manual", remaining: "0" }).where(eq(signals.id, row!.id));
        await appendChainEntry(tx, { providerId: provider.id, signalId: row!.id, kind: "closed", at: closedAt, data: { price: "64000", share: "1", reason: "manual" } });
      }
    });
  }
  return provider;
}

describe("GET /api/v1/providers/[slug]/chain", () => {
  it("is a dynamic Node.js route", () => {
    expect(route.runtime).toBe("nodejs");
    expect(route.dynamic).toBe("force-dynamic");
  });

  it("serves the public chain, cacheable for 10 seconds, that verifies as downloaded", async () => {
    const provider = await providerWithSignals();
    const res = await get(provider.slug);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=10");
    const body = (await res.json()) as PublicChain;
    expect(body.provider).toEqual({ slug: provider.slug, displayName: provider.displayName });
    expect(body.entries.map((e) => [e.seq, e.kind, e.data === null])).toEqual([
      [1, "published", false],
      [2, "closed", false],
      [3, "published", true],
    ]);
    expect(Object.keys(body.entries[0]!).sort()).toEqual(["at", "data", "hash", "kind", "nonce", "prevHash", "seq", "signalId"]);
    expect(await verifyChain(body.entries)).toMatchObject({ ok: true, checked: 3, hidden: 1 });
    expect(body.signals).toHaveLength(1);
    expect(checkSignalStates(body.signals, body.entries)).toEqual([]);
  });

  it("answers 404 with a JSON error for an unknown provider", async () => {
    const res = await get("no-such-provider");
    expect(res.status).toBe(404);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ error: "No provider with that name" });
  });

  it("answers 400, not 500, for a name with a control character (GET /api/v1/providers/a%00b/chain)", async () => {
    // "\ud800" cannot be URL-encoded; the handler is still called with it as the decoded parameter.
    for (const [slug, url] of [["a\u0000b", "a%00b"], ["a\u001fb", "a%1Fb"], ["\ud800", "x"]]) {
      const res = await route.GET(new Request(`http://localhost:3000/api/v1/providers/${url}/chain`), { params: Promise.resolve({ slug: slug! }) });
      expect(res.status, JSON.stringify(slug)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message, JSON.stringify(slug)).toMatch(/provider name contains (a control|an invalid) character/i);
    }
  });
});
