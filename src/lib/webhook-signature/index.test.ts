/**
 * The signature scheme: the header's shape, a signature checked independently of this module (node:crypto here, the
 * Python snippet in snippets.test.ts), the 5-minute replay window on both sides, constant-size comparison of every
 * v1 value, and the secret format.
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isWebhookSecret, newWebhookSecret, SIGNATURE_TOLERANCE_SECONDS, signatureHeader, verifySignature } from ".";

const SECRET = "whsec_k0b8bY6s3xTQp7t2cJrQm1yUeF3hA9wVdZ5nL4gKx2E";
const BODY = '{"id":"evt_1","type":"signal.published","created":"2026-12-06T20:00:00.000Z","data":{"price":"0.00001234"}}';
const T = 1_796_000_000;

describe("signatureHeader", () => {
  it("is t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.<body>')>", () => {
    const expected = createHmac("sha256", SECRET).update(`${T}.${BODY}`).digest("hex");
    expect(signatureHeader(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
    expect(signatureHeader(SECRET, Buffer.from(BODY), T)).toBe(`t=${T},v1=${expected}`);
  });

  it("refuses a timestamp that is not whole seconds", () => {
    expect(() => signatureHeader(SECRET, BODY, 1.5)).toThrow(/whole unix seconds/);
    expect(() => signatureHeader(SECRET, BODY, Date.now())).not.toThrow();
  });
});

describe("verifySignature", () => {
  const header = signatureHeader(SECRET, BODY, T);

  it("accepts the body it signed, within 5 minutes either way", () => {
    expect(verifySignature(SECRET, BODY, header, T)).toEqual({ ok: true, timestamp: T });
    expect(verifySignature(SECRET, BODY, header, T + SIGNATURE_TOLERANCE_SECONDS)).toMatchObject({ ok: true });
    expect(verifySignature(SECRET, BODY, header, T - SIGNATURE_TOLERANCE_SECONDS)).toMatchObject({ ok: true });
  });

  it("refuses a replay older than 5 minutes, and a timestamp more than 5 minutes ahead", () => {
    expect(verifySignature(SECRET, BODY, header, T + SIGNATURE_TOLERANCE_SECONDS + 1)).toEqual({ ok: false, reason: "too_old" });
    expect(verifySignature(SECRET, BODY, header, T - SIGNATURE_TOLERANCE_SECONDS - 1)).toEqual({ ok: false, reason: "too_new" });
  });

  it("refuses another body, another secret, a re-signed timestamp and malformed headers", () => {
    expect(verifySignature(SECRET, BODY.replace("0.00001234", "0.00001235"), header, T)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature(newWebhookSecret(), BODY, header, T)).toEqual({ ok: false, reason: "mismatch" });
    // Moving t forward to slip into the window breaks the signature: t is part of what is signed.
    expect(verifySignature(SECRET, BODY, header.replace(`t=${T}`, `t=${T + 400}`), T + 400)).toEqual({ ok: false, reason: "mismatch" });
    for (const bad of ["", "v1=abc", `t=${T}`, `t=abc,v1=${"0".repeat(64)}`, `t=-5,v1=${"0".repeat(64)}`, "garbage"])
      expect(verifySignature(SECRET, BODY, bad, T), bad).toEqual({ ok: false, reason: "malformed" });
    expect(verifySignature(SECRET, BODY, `t=${T},v1=zz`, T)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifySignature(SECRET, BODY, `t=${T},v1=${"ab".repeat(16)}`, T)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("accepts a header with several v1 values when any one matches (a secret being replaced), in any order", () => {
    const good = header.split("v1=")[1]!;
    expect(verifySignature(SECRET, BODY, `t=${T},v1=${"0".repeat(64)},v1=${good}`, T)).toMatchObject({ ok: true });
    expect(verifySignature(SECRET, BODY, `v1=${good}, t=${T}`, T)).toMatchObject({ ok: true });
  });
});

describe("newWebhookSecret", () => {
  it("is whsec_ and 32 random bytes in base64url, different every time", () => {
    const a = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.slice("whsec_".length), "base64url")).toHaveLength(32);
    expect(isWebhookSecret(a)).toBe(true);
    expect(isWebhookSecret("whsec_short")).toBe(false);
    expect(new Set(Array.from({ length: 50 }, newWebhookSecret)).size).toBe(50);
  });
});
