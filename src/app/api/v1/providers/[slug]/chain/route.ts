/**
 * A provider's public hash chain: `{ provider, entries, signals }`. Entries of pending/open signals come with data
 * and nonce withheld. Anyone can download it and recompute every hash (README "Verifying a track record yourself").
 */
import { getDatabase } from "@/server/db";
import { NotFoundError, statusOf } from "@/server/errors";
import { fromError, json, refuseUnsafeText } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { getPublicChain } from "@/server/services/chain";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

// Public, cookie-free data: independent verifiers may fetch it from any origin.
const PUBLIC_HEADERS = { "cache-control": "public, max-age=10", "access-control-allow-origin": "*" };

export async function GET(req: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRequest(req, "/api/v1/providers/[slug]/chain", async ({ log }) => {
    try {
      await getDatabase();
      const { slug } = await params;
      // Next decodes the segment, so `a%00b` arrives as "a\u0000b"; no slug holds such a character.
      const refused = refuseUnsafeText(slug, "The provider name");
      if (refused) return refused;
      return json(await getPublicChain(slug), 200, PUBLIC_HEADERS);
    } catch (err) {
      // A provider created a moment later must not stay "missing" in a cache.
      if (err instanceof NotFoundError) return json({ error: "No provider with that name" }, statusOf("not_found"), { "cache-control": "no-store" });
      return fromError(err, "GET /api/v1/providers/[slug]/chain", log);
    }
  });
}
