/**
 * The shapes of two-factor codes, shared by the sign-in form (to label what was typed) and the server (to decide
 * which check a code goes to): a 6-digit TOTP code from an authenticator app, or a single-use recovery code
 * `xxxxx-xxxxx` printed once at enrolment.
 */
import { z } from "zod";

/**
 * Recovery code letters: lower case and digits without the ones people misread on paper (0/o, 1/l/i) and without
 * vowels that could spell words. 28 symbols, so a 10-symbol code carries about 48 bits.
 */
export const RECOVERY_ALPHABET = "23456789bcdfghjkmnpqrstvwxyz";
export const RECOVERY_CODE_COUNT = 10;

/** A 6-digit authenticator code, spaces allowed ("123 456" as some apps show it). */
export function normaliseTotp(raw: string): string | null {
  const digits = raw.replace(/\s+/g, "");
  return /^\d{6}$/.test(digits) ? digits : null;
}

/** A recovery code as stored (`abcde-fghjk`): case, spaces and a missing dash forgiven; null for anything else. */
export function normaliseRecoveryCode(raw: string): string | null {
  const plain = raw.toLowerCase().replace(/[\s-]+/g, "");
  if (plain.length !== 10) return null;
  for (const ch of plain) if (!RECOVERY_ALPHABET.includes(ch)) return null;
  return `${plain.slice(0, 5)}-${plain.slice(5)}`;
}

/** Which check a typed code goes to, or null when it is neither shape. */
export function classifyCode(raw: string): { kind: "totp" | "recovery"; code: string } | null {
  const totp = normaliseTotp(raw);
  if (totp) return { kind: "totp", code: totp };
  const recovery = normaliseRecoveryCode(raw);
  return recovery ? { kind: "recovery", code: recovery } : null;
}

/** A recovery code from random bytes (one byte per symbol; rejection sampling keeps the letters uniform). */
export function recoveryCodeFrom(randomBytes: (n: number) => Uint8Array): string {
  const limit = 256 - (256 % RECOVERY_ALPHABET.length);
  let out = "";
  while (out.length < 10) {
    for (const b of randomBytes(16)) {
      if (b >= limit || out.length === 10) continue;
      out += RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length];
    }
  }
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}

/** The code field of two-factor procedures: an authenticator code or a recovery code. */
export const twoFactorCodeSchema = z
  .string({ error: "Enter the code from your authenticator app" })
  .trim()
  .min(1, "Enter the code from your authenticator app")
  .max(32, "Enter the 6-digit code from your authenticator app, or a recovery code")
  .refine((v) => classifyCode(v) !== null, "Enter the 6-digit code from your authenticator app, or a recovery code like abcde-fghjk");

/** Only an authenticator code (confirming enrolment: recovery codes do not exist yet). */
export const totpCodeSchema = z
  .string({ error: "Enter the code from your authenticator app" })
  .trim()
  .refine((v) => normaliseTotp(v) !== null, "Enter the 6-digit code from your authenticator app");
