/**
 * Secrets the app cannot run without: the Auth.js signing secret and the AES-256-GCM key for secrets at rest.
 * From env when set. In development and tests they are generated once into `<DATA_DIR>/secrets.json` (mode 0600)
 * so the app runs with no configuration; production refuses to start without them (see `assertProductionSecrets`).
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { env } from "@/env";
import { outboundAllowlist } from "@/server/http/safe-fetch";

interface StoredSecrets {
  authSecret: string;
  encryptionKey: string;
  /** Embedded mode's Stripe webhook signing secret (the dev checkout signs with it, the webhook route checks it). */
  stripeWebhookSecret?: string;
}

let cached: StoredSecrets | undefined;

const secretsFile = () => path.resolve(env.DATA_DIR, "secrets.json");

function readStored(): Partial<StoredSecrets> {
  try {
    return JSON.parse(fs.readFileSync(secretsFile(), "utf8")) as Partial<StoredSecrets>;
  } catch {
    return {}; // first run
  }
}

function writeStored(secrets: StoredSecrets): void {
  fs.mkdirSync(path.dirname(secretsFile()), { recursive: true });
  fs.writeFileSync(secretsFile(), JSON.stringify(secrets, null, 2), { mode: 0o600 });
}

function generatedSecrets(): StoredSecrets {
  const stored = readStored();
  if (stored.authSecret && stored.encryptionKey) return stored as StoredSecrets;
  const fresh: StoredSecrets = {
    ...stored,
    authSecret: randomBytes(32).toString("base64url"),
    encryptionKey: randomBytes(32).toString("hex"),
  };
  writeStored(fresh);
  return fresh;
}

export class MissingSecretError extends Error {}

/**
 * Called at server start-up: production must be configured explicitly, and must not carry the test-only
 * OUTBOUND_URL_ALLOWLIST (`OutboundAllowlistError`, see http/safe-fetch.ts).
 */
export function assertProductionSecrets(): void {
  if (env.NODE_ENV !== "production") return;
  // The outbound allow-list opens http and private addresses to user-given URLs: it throws in production when set.
  outboundAllowlist();
  const missing = [
    !env.AUTH_SECRET && "AUTH_SECRET",
    !env.ENCRYPTION_KEY && "ENCRYPTION_KEY",
    env.STRIPE_SECRET_KEY && !env.STRIPE_WEBHOOK_SECRET && "STRIPE_WEBHOOK_SECRET",
  ].filter(Boolean);
  if (missing.length) {
    throw new MissingSecretError(
      `Refusing to start in production without ${missing.join(" and ")}. Generate them with: ` +
        `node -e "console.log(require('crypto').randomBytes(32).toString('hex'))"`,
    );
  }
}

function resolve(): StoredSecrets {
  if (cached) return cached;
  if (env.AUTH_SECRET && env.ENCRYPTION_KEY) {
    cached = { authSecret: env.AUTH_SECRET, encryptionKey: env.ENCRYPTION_KEY };
    return cached;
  }
  assertProductionSecrets();
  const gen = generatedSecrets();
  cached = { authSecret: env.AUTH_SECRET ?? gen.authSecret, encryptionKey: env.ENCRYPTION_KEY ?? gen.encryptionKey };
  return cached;
}

export const getAuthSecret = (): string => resolve().authSecret;
export const getEncryptionKey = (): Buffer => Buffer.from(resolve().encryptionKey, "hex");

/**
 * The key being rotated away from (`ENCRYPTION_KEY_PREVIOUS`), or null. While it is set, values sealed with it still
 * open (secret-box `open` tries the current key first); `npm run keys:rotate` re-seals them with the current key,
 * after which the operator removes it. Never used to seal. A previous key equal to the current one is ignored.
 */
export function getPreviousEncryptionKey(): Buffer | null {
  const previous = env.ENCRYPTION_KEY_PREVIOUS;
  if (!previous || previous.toLowerCase() === resolve().encryptionKey.toLowerCase()) return null;
  return Buffer.from(previous, "hex");
}

let webhookSecret: string | undefined;

/**
 * The Stripe webhook signing secret: `STRIPE_WEBHOOK_SECRET` in every mode when set. With a real Stripe key it must be
 * set (Stripe issues it per endpoint); in embedded mode one is generated into `<DATA_DIR>/secrets.json`.
 */
export function getStripeWebhookSecret(): string {
  if (env.STRIPE_WEBHOOK_SECRET) return env.STRIPE_WEBHOOK_SECRET;
  if (env.STRIPE_SECRET_KEY) throw new MissingSecretError("STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the signing secret of your Stripe webhook endpoint)");
  if (webhookSecret) return webhookSecret;
  const stored = { ...generatedSecrets(), ...readStored() } as StoredSecrets;
  if (!stored.stripeWebhookSecret) {
    stored.stripeWebhookSecret = `whsec_${randomBytes(24).toString("base64url")}`;
    writeStored(stored);
  }
  webhookSecret = stored.stripeWebhookSecret;
  return webhookSecret;
}
