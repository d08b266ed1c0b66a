import { describe, expect, it } from "vitest";
import { newId } from "./ids";
import { randomBytes } from "./random";
import { newNonce } from "./chain";

describe("randomBytes (pooled)", () => {
  it("hands out the requested length, across pool refills, never the same bytes twice", () => {
    const seen = new Set<string>();
    // 600 x 16 bytes crosses the 4 KiB pool twice.
    for (let i = 0; i < 600; i++) {
      const b = randomBytes(16);
      expect(b).toHaveLength(16);
      const hex = Buffer.from(b).toString("hex");
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
  });

  it("keeps bytes already handed out unchanged when the pool is replaced", () => {
    const first = randomBytes(4000);
    const copy = Uint8Array.from(first);
    randomBytes(4000); // forces a new pool
    expect(first).toEqual(copy);
  });

  it("is not all zeros and spreads over byte values", () => {
    const b = randomBytes(4096);
    expect(new Set(b).size).toBeGreaterThan(200);
  });

  it("refuses sizes it cannot serve", () => {
    expect(() => randomBytes(4097)).toThrow(RangeError);
    expect(() => randomBytes(-1)).toThrow(RangeError);
    expect(randomBytes(0)).toHaveLength(0);
  });

  it("ids and nonces stay well-formed and distinct", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("sig")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^sig_[0-9a-hjkmnp-tv-z]{20}$/);
    const nonces = new Set(Array.from({ length: 1000 }, () => newNonce()));
    expect(nonces.size).toBe(1000);
    for (const n of nonces) expect(n).toMatch(/^[0-9a-f]{32}$/);
  });
});
