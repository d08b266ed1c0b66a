/** TOTP codes as an authenticator app computes them from a secret (RFC 6238 as Tradsy uses it: SHA-1, 6 digits, 30 s). */
import { Secret, TOTP } from "otpauth";

/** The code for `secret` (base32) at `at`. */
const codeAt = (secret: string, at: Date) =>
  new TOTP({ algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at.getTime() });

/** The code for now, or for `stepsAgo` 30-second steps ago. */
export const codeNow = (secret: string, stepsAgo = 0) => codeAt(secret, new Date(Date.now() - stepsAgo * 30_000));
