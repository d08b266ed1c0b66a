/**
 * The verification snippets the README shows receivers of Tradsy's outbound webhooks, as strings, so tests can run
 * exactly what people copy: snippets.test.ts imports the TypeScript one and runs the Python one with python3 against
 * real signatures, and checks the README's "Outbound webhooks" section holds these same two blocks.
 *
 * INVARIANT: these strings and the README's blocks are identical; change both together (the test fails otherwise).
 */

/** Node.js (TypeScript). Exports `verifyTradsyWebhook`. */
export const TYPESCRIPT_SNIPPET = `import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * True when a Tradsy webhook is genuine and fresh. \`rawBody\` is the request body exactly as received (before any
 * JSON parsing), \`signatureHeader\` the Tradsy-Signature header, \`secret\` the endpoint's secret (whsec_…).
 */
export function verifyTradsyWebhook(
  rawBody: string | Buffer,
  signatureHeader: string,
  secret: string,
  nowSeconds: number = Date.now() / 1000,
): boolean {
  const fields = signatureHeader.split(",").map((part) => part.trim().split("="));
  const t = fields.find(([key]) => key === "t")?.[1] ?? "";
  const signatures = fields.filter(([key]) => key === "v1").map(([, value]) => value ?? "");
  if (!/^\\d+$/.test(t) || signatures.length === 0) return false;
  // Older (or newer) than 5 minutes: refuse it, it may be a replay.
  if (Math.abs(nowSeconds - Number(t)) > 300) return false;
  const expected = createHmac("sha256", secret).update(\`\${t}.\`).update(rawBody).digest();
  return signatures.some((signature) => {
    const given = Buffer.from(signature, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
`;

/** Python 3.8+. Defines `verify_tradsy_webhook`. */
export const PYTHON_SNIPPET = `import hashlib
import hmac
import time
from typing import Optional


def verify_tradsy_webhook(raw_body: bytes, signature_header: str, secret: str, now: Optional[float] = None) -> bool:
    """True when a Tradsy webhook is genuine and fresh. raw_body is the request body exactly as received (bytes,
    before any JSON parsing), signature_header the Tradsy-Signature header, secret the endpoint's secret (whsec_...)."""
    fields = [part.strip().partition("=") for part in signature_header.split(",")]
    t = next((value for key, _, value in fields if key == "t"), "")
    signatures = [value for key, _, value in fields if key == "v1"]
    if not (t.isascii() and t.isdigit()) or not signatures:
        return False
    # Older (or newer) than 5 minutes: refuse it, it may be a replay.
    if abs((time.time() if now is None else now) - int(t)) > 300:
        return False
    expected = hmac.new(secret.encode(), t.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected.encode(), signature.encode()) for signature in signatures)
`;
