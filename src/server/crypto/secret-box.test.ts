import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { constantTimeEqual, open, seal, sha256Hex } from "./secret-box";

describe("secret box (AES-256-GCM)", () => {
  const key = randomBytes(32);

  it("round-trips and never repeats a ciphertext", () => {
    const a = seal("JBSWY3DPEHPK3PXP", key);
    const b = seal("JBSWY3DPEHPK3PXP", key);
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(open(a, key)).toBe("JBSWY3DPEHPK3PXP");
  });

  it("rejects tampering and the wrong key", () => {
    const sealed = seal("exchange-secret", key);
    const parts = sealed.split(".");
    const ct = Buffer.from(parts[3]!, "base64url");
    ct[0]! ^= 1;
    const tampered = [parts[0], parts[1], parts[2], ct.toString("base64url")].join(".");
    expect(() => open(tampered, key)).toThrow();
    expect(() => open(sealed, randomBytes(32))).toThrow();
    expect(() => open("v0.a.b.c", key)).toThrow(/format/);
  });

  it("uses the generated development key when no key is passed", () => {
    expect(open(seal("x"))).toBe("x");
  });

  it("hashes and compares", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(constantTimeEqual("a", "a")).toBe(true);
    expect(constantTimeEqual("a", "b")).toBe(false);
    expect(constantTimeEqual("a", "ab")).toBe(false);
  });
});
