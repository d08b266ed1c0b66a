/** Pure helpers of the two-factor section: how the secret, the QR code and the recovery codes file are shown. */

/** The base32 secret in groups of four, as authenticator apps' "enter a key" screens are easiest to type from. */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, "").match(/.{1,4}/g)?.join(" ") ?? "";
}

/**
 * The server's QR code (an SVG string) as a data: URL for an <img>: an image cannot run script, so the markup
 * needs no inline SVG in the page (nothing for the nonce-based CSP to weigh) — the CSP's img-src must allow data:.
 */
export function svgDataUrl(svg: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

export const RECOVERY_CODES_FILENAME = "tradsy-recovery-codes.txt";

/** The downloaded recovery codes: what they are for, whose they are, when they were made, one code a line. */
export function recoveryCodesFile(codes: readonly string[], { email, now }: { email?: string | null; now: Date }): string {
  const made = `${now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return [
    "Tradsy recovery codes",
    ...(email ? [`Account: ${email}`] : []),
    `Made: ${made}`,
    "",
    "Each code signs you in once in place of a code from your authenticator app.",
    "Keep them somewhere safe and apart from your phone. Making new codes replaces these.",
    "",
    ...codes,
    "",
  ].join("\n");
}
