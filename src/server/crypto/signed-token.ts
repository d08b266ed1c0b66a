/**
 * Signed statements the server hands out in links and takes back without storing them (unsubscribe links):
 * `<payload b64url>.<HMAC-SHA256 b64url>`, keyed by a key derived from the server's encryption key for one purpose.
 * The payload is readable by whoever holds the link (it names no secret); only the server can make one. They do not
 * expire: revocation is a version number inside the payload that the verifier compares with the stored one.
 *
 * Key rotation: while `ENCRYPTION_KEY_PREVIOUS` is set, tokens signed under it still verify (links in emails sent
 * before the switch keep working); new ones are signed with the current key. Removing the previous key ends them.
 */
import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { getEncryptionKey, getPreviousEncryptionKey } from "@/server/secrets";
import { constantTimeEqual } from "./secret-box";

/** What a signed token is for. One list, so no two uses can share a key by accident. */
export type TokenPurpose = "unsubscribe";

const keys = new Map<string, Buffer>();
function keyFor(purpose: TokenPurpose, master: Buffer = getEncryptionKey()): Buffer {
  const cacheKey = `${purpose}:${master.toString("hex")}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `tradsy/signed-token/${purpose}`, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

const mac = (purpose: TokenPurpose, payload: string, master?: Buffer) => createHmac("sha256", keyFor(purpose, master)).update(payload).digest("base64url");

export function signToken(purpose: TokenPurpose, value: unknown): string {
  const payload = Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  return `${payload}.${mac(purpose, payload)}`;
}

/** The signed value, or null when the token is malformed or was not signed by this server for this purpose. */
export function verifyToken(purpose: TokenPurpose, token: string): unknown {
  if (typeof token !== "string" || token.length > 2048) return null;
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return null;
  const previous = getPreviousEncryptionKey();
  if (!constantTimeEqual(signature, mac(purpose, payload)) && !(previous && constantTimeEqual(signature, mac(purpose, payload, previous)))) return null;
  try {
    return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown;
  } catch {
    return null;
  }
}
