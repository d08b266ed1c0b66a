/** A provider's TradingView settings: its secret webhook URL (only the sha256 is stored) and optional passphrase. */
import "server-only";
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { providers } from "@/server/db/schema";
import { randomToken, seal, sha256Hex } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import { forgetProvider } from "./memory";

/** Creates (or replaces) the provider's webhook secret for `ctx.actor`; the URL is shown once. */
export async function rotateWebhookToken(ctx: ActingContext, providerId: string): Promise<{ token: string }> {
  const token = `tv_${randomToken(24)}`;
  await db.transaction(async (tx) => {
    await tx.update(providers).set({ webhookTokenHash: sha256Hex(token) }).where(eq(providers.id, providerId));
    await recordAudit(tx, { actorId: ctx.actor.id, action: "provider.webhook_rotated", targetType: "provider", targetId: providerId, ip: ctx.ip, userAgent: ctx.userAgent });
  });
  forgetProvider(providerId);
  return { token };
}

/** Sets (or, with null, clears) the passphrase alerts must carry, for `ctx.actor`. */
export async function setWebhookPassphrase(ctx: ActingContext, providerId: string, passphrase: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(providers).set({ webhookPassphraseEnc: passphrase ? seal(passphrase) : null }).where(eq(providers.id, providerId));
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: passphrase ? "provider.webhook_passphrase_set" : "provider.webhook_passphrase_cleared",
      targetType: "provider",
      targetId: providerId,
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
  });
  forgetProvider(providerId);
}

export async function webhookStatus(providerId: string) {
  const p = await db.query.providers.findFirst({ where: eq(providers.id, providerId), columns: { webhookTokenHash: true, webhookPassphraseEnc: true } });
  return { configured: Boolean(p?.webhookTokenHash), passphrase: Boolean(p?.webhookPassphraseEnc) };
}
