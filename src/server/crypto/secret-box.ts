/**
 * AES-256-GCM sealing for secrets at rest (exchange keys, TOTP secrets, webhook passphrases) and for statements the
 * server hands out and takes back (session renewals, an email's one-time links).
 * Format: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`; the version lets us rotate the scheme later.
 *
 * One key seals everything, and some sealed text is chosen by users (a provider's webhook passphrase), so a value the
 * server acts on says what it is for: its purpose is bound in as GCM's additional authenticated data. A value
 * sealed for one purpose (or for none) fails to open for another, whatever its text claims. Values sealed without
 * a purpose (everything sealed before purposes existed) open only without one.
 *
 * Key rotation: with `ENCRYPTION_KEY_PREVIOUS` set, opening with the server's keys tries the current key and then the
 * previous one (GCM's tag fails cleanly on the wrong key, so trying is safe); sealing always uses the current key.
 * `npm run keys:rotate` (src/server/cli/keys.ts) re-seals every stored value so the previous key can be dropped.
 */
import "server-only";
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { getEncryptionKey, getPreviousEncryptionKey } from "@/server/secrets";

/** What a sealed value is for. One list, so no two uses can share a purpose by accident. */
export type SealPurpose = "session-renewal" | "email-one-time-links" | "exchange-credentials" | "channel-url" | "webhook-secret" | "totp-secret";

// Prefixed so that a purpose never equals additional data some other scheme might use with this key.
const additionalData = (purpose: SealPurpose) => Buffer.from(`tradsy/secret-box/${purpose}`, "utf8");

export function seal(plain: string, key: Buffer = getEncryptionKey(), purpose?: SealPurpose): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  if (purpose) cipher.setAAD(additionalData(purpose));
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ct.toString("base64url")].join(".");
}

function openWithKey(sealed: string, key: Buffer, purpose?: SealPurpose): string {
  const [version, iv, tag, ct] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || ct === undefined) throw new Error("Unrecognised sealed secret format");
  // A full-length tag only: Node otherwise accepts a tag cut down to 4 bytes, which a forger can guess.
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
  if (purpose) decipher.setAAD(additionalData(purpose));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
}

/** Which of the server's keys opened a value: `current` values need no re-sealing when the key is rotated. */
export type OpenedWith = "current" | "previous";

/**
 * Opens with the server's current key, then the previous one (`ENCRYPTION_KEY_PREVIOUS`) when set, and says which
 * worked. Throws the current key's error when neither does (wrong purpose, tampered, or a third key).
 */
export function openWithServerKeys(sealed: string, purpose?: SealPurpose): { plain: string; key: OpenedWith } {
  try {
    return { plain: openWithKey(sealed, getEncryptionKey(), purpose), key: "current" };
  } catch (err) {
    const previous = getPreviousEncryptionKey();
    if (!previous) throw err;
    try {
      return { plain: openWithKey(sealed, previous, purpose), key: "previous" };
    } catch {
      throw err;
    }
  }
}

/**
 * Throws unless `sealed` was sealed with this key and this purpose (or, without one, with no purpose). Without a
 * key: the server's keys, current then previous (see `openWithServerKeys`).
 */
export function open(sealed: string, key?: Buffer, purpose?: SealPurpose): string {
  return key ? openWithKey(sealed, key, purpose) : openWithServerKeys(sealed, purpose).plain;
}

/** `seal` for a purpose, with the server's key. */
export const sealFor = (purpose: SealPurpose, plain: string): string => seal(plain, getEncryptionKey(), purpose);

/** `open` for a purpose, with the server's keys (current, then previous); throws for a value sealed for anything else. */
export const openFor = (purpose: SealPurpose, sealed: string): string => openWithServerKeys(sealed, purpose).plain;

/** For high-entropy tokens (API keys, one-time links) a fast hash is enough; passwords use argon2id instead. */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
