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

interface StoredSecrets {
  authSecret: string;
  encryptionKey: string;
}

let cached: StoredSecrets | undefined;

function generatedSecrets(): StoredSecrets {
  const file = path.resolve(env.DATA_DIR, "secrets.json");
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<StoredSecrets>;
    if (parsed.authSecret && parsed.encryptionKey) return parsed as StoredSecrets;
  } catch {
    // first run: fall through and create
  }
  const fresh: StoredSecrets = {
    authSecret: randomBytes(32).toString("base64url"),
    encryptionKey: randomBytes(32).toString("hex"),
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600 });
  return fresh;
}

export class MissingSecretError extends Error {}

/** Called at server start-up: production must be configured explicitly. */
export function assertProductionSecrets(): void {
  if (env.NODE_ENV !== "production") return;
  const missing = [!env.AUTH_SECRET && "AUTH_SECRET", !env.ENCRYPTION_KEY && "ENCRYPTION_KEY"].filter(Boolean);
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
