import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { constantTimeEqual, open, openFor, seal, sealFor, sha256Hex } from "./secret-box";

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

  it("binds a purpose: a value opens only for the purpose it was sealed for, and one sealed without opens only without", () => {
    const renewal = seal("claims", key, "session-renewal");
    expect(open(renewal, key, "session-renewal")).toBe("claims");
    expect(() => open(renewal, key, "email-one-time-links")).toThrow();
    expect(() => open(renewal, key)).toThrow();
    const unbound = seal("claims", key); // e.g. a webhook passphrase, or anything sealed before purposes existed
    expect(open(unbound, key)).toBe("claims");
    expect(() => open(unbound, key, "session-renewal")).toThrow();
    expect(openFor("email-one-time-links", sealFor("email-one-time-links", "links"))).toBe("links");
    expect(() => openFor("session-renewal", sealFor("email-one-time-links", "links"))).toThrow();
  });

  it("refuses a shortened authentication tag", () => {
    const [v, iv, tag, ct] = seal("exchange-secret", key).split(".");
    const short = Buffer.from(tag!, "base64url").subarray(0, 4).toString("base64url");
    expect(() => open([v, iv, short, ct].join("."), key)).toThrow();
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
