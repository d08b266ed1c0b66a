/** Prefixed, URL-safe random ids (`usr_…`, `prv_…`): readable in logs and URLs, unguessable. */
import { randomBytes } from "./random";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${randomBase32(20)}`;
}
