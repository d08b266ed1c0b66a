import { describe, expect, it } from "vitest";
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
