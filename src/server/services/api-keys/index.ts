/**
 * Provider API keys. A key is `tsk_` + 32 random base32 characters, shown once at creation; we keep its sha256
 * (unique index: lookup by hash) and a short prefix so the owner can tell keys apart.
 */
import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import { db } from "@/server/db";
import { apiKeys, providers } from "@/server/db/schema";
import { LimitExceededError, NotFoundError } from "@/server/errors";
import { sha256Hex } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import { queueSecurityAlert } from "@/server/services/alerts/security";
import type { ActingContext } from "@/server/services/context";
import { randomBase32 } from "@/lib/ids";

export const MAX_ACTIVE_KEYS = 10;
const PREFIX_LENGTH = 12;

export function generateApiKey(): string {
  return `tsk_${randomBase32(32)}`;
}

export async function listApiKeys(providerId: string) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.providerId, providerId))
    .orderBy(desc(apiKeys.createdAt));
}

/** A new key for the actor's own provider profile (`providerId`, which the procedure ladder looked up from the session). */
export async function createApiKey(ctx: ActingContext, providerId: string, name: string) {
  const key = generateApiKey();
  const row = await db.transaction(async (tx) => {
    const active = await tx
      .select({ id: apiKeys.id })
      .from(apiKeys)
      .where(and(eq(apiKeys.providerId, providerId), isNull(apiKeys.revokedAt)));
    if (active.length >= MAX_ACTIVE_KEYS) {
      throw new LimitExceededError(`You can have at most ${MAX_ACTIVE_KEYS} active keys. Revoke one you no longer use.`);
    }
    const [created] = await tx
      .insert(apiKeys)
      .values({ providerId, name, prefix: key.slice(0, PREFIX_LENGTH), keyHash: sha256Hex(key) })
      .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, createdAt: apiKeys.createdAt });
    await recordAudit(tx, { actorId: ctx.actor.id, action: "api_key.created", targetType: "api_key", targetId: created!.id, data: { name }, ip: ctx.ip, userAgent: ctx.userAgent });
    // To the profile's owner (the actor, whom the procedure ladder matched to this provider), whatever their choices.
    const [owner] = await tx.select({ userId: providers.userId }).from(providers).where(eq(providers.id, providerId));
    if (owner) await queueSecurityAlert(tx, ctx, owner.userId, "api_key_created", `${name} (${created!.prefix}…)`);
    return created!;
  });
  // The only time the full key leaves the server.
  return { ...row, key };
}

export async function revokeApiKey(ctx: ActingContext, providerId: string, keyId: string) {
  await db.transaction(async (tx) => {
    // INVARIANT: scoped by the caller's provider id; another provider's key is indistinguishable from a missing one.
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: ctx.now })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.providerId, providerId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (!row) throw new NotFoundError("No active API key with that id");
    await recordAudit(tx, { actorId: ctx.actor.id, action: "api_key.revoked", targetType: "api_key", targetId: row.id, ip: ctx.ip, userAgent: ctx.userAgent });
  });
}

/** Resolves a presented key to its provider (for the REST API), touching `lastUsedAt`. */
export async function authenticateApiKey(presented: string) {
  if (!/^tsk_[0-9a-z]{32}$/.test(presented)) return null;
  const [row] = await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiKeys.keyHash, sha256Hex(presented)), isNull(apiKeys.revokedAt)))
    .returning({ keyId: apiKeys.id, providerId: apiKeys.providerId });
  if (!row) return null;
  const provider = await db.query.providers.findFirst({ where: eq(providers.id, row.providerId) });
  return provider ? { keyId: row.keyId, provider } : null;
}
