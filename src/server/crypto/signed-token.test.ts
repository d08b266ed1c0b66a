import { describe, expect, it, vi } from "vitest";
import { signToken, verifyToken } from "./signed-token";

describe("signed tokens", () => {
  it("gives back what was signed", () => {
    const token = signToken("unsubscribe", { r: "u", id: "usr_1", v: 0, t: "digest" });
    expect(verifyToken("unsubscribe", token)).toEqual({ r: "u", id: "usr_1", v: 0, t: "digest" });
  });

  it("refuses a changed payload, a changed or cut signature, and junk", () => {
    const token = signToken("unsubscribe", { id: "usr_1" });
    const [payload, signature] = token.split(".") as [string, string];
    const forged = Buffer.from(JSON.stringify({ id: "usr_2" })).toString("base64url");
    expect(verifyToken("unsubscribe", `${forged}.${signature}`)).toBeNull();
    expect(verifyToken("unsubscribe", `${payload}.${signature.slice(0, -2)}`)).toBeNull();
    expect(verifyToken("unsubscribe", `${payload}.${signature}.x`)).toBeNull();
    expect(verifyToken("unsubscribe", "")).toBeNull();
    expect(verifyToken("unsubscribe", "a.b")).toBeNull();
  });
});

describe("signed tokens across a key rotation", () => {
  it("verify under ENCRYPTION_KEY_PREVIOUS while it is set, and not once it is gone", async () => {
    const { randomBytes } = await import("node:crypto");
    const secrets = await import("@/server/secrets");
    const A = randomBytes(32);
    const B = randomBytes(32);
    const current = vi.spyOn(secrets, "getEncryptionKey").mockReturnValue(A);
    const previous = vi.spyOn(secrets, "getPreviousEncryptionKey").mockReturnValue(null);
    try {
      const old = signToken("unsubscribe", { id: "usr_1" });
      current.mockReturnValue(B);
      previous.mockReturnValue(A);
      expect(verifyToken("unsubscribe", old)).toEqual({ id: "usr_1" });
      expect(verifyToken("unsubscribe", signToken("unsubscribe", { id: "usr_2" }))).toEqual({ id: "usr_2" });
      previous.mockReturnValue(null);
      expect(verifyToken("unsubscribe", old)).toBeNull();
      // A third key's token never verifies.
      previous.mockReturnValue(randomBytes(32));
      expect(verifyToken("unsubscribe", old)).toBeNull();
    } finally {
      current.mockRestore();
      previous.mockRestore();
    }
  });
});
