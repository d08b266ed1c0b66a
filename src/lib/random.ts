/**
 * Cryptographically random bytes from a pool: `crypto.getRandomValues` fills 4 KiB at a time instead of being called
 * for every id and nonce (the webhook's hot path makes several per request). Each byte is handed out once; a new
 * pool replaces the old one, so views already handed out never change. Works in Node and the browser.
 */
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let offset = 0;

export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > POOL_SIZE) throw new RangeError(`randomBytes: 0 to ${POOL_SIZE} bytes, not ${n}`);
  if (offset + n > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}
