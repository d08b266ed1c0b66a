/**
 * The anonymous auth procedures' rate limits hold whatever a caller puts in X-Forwarded-For: with no proxy
 * configured the header is not believed (everyone anonymous shares one budget), and behind one proxy only the
 * address that proxy appended counts. (Sign-up is a form action, not a procedure: its limit is checked the same way in
 * src/server/auth/actions.test.ts.)
 */
import { randomInt } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { callerFor, trpcCode, uniqueEmail } from "@/test/factories";
import { resetRateLimits } from "@/server/rate-limit";

useTestDatabase();
const setEnv = useEnvOverrides();
beforeEach(() => resetRateLimits());

/** Whatever an attacker likes to claim as their address. */
const spoofed = () => `${randomInt(1, 224)}.${randomInt(0, 256)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
const PROXY_SAW = "198.51.100.20";

const setups = [
  { label: "no proxy configured (TRUSTED_PROXY_HOPS=0)", hops: 0, header: () => spoofed() },
  { label: "one trusted proxy (TRUSTED_PROXY_HOPS=1)", hops: 1, header: () => `${spoofed()}, ${spoofed()}, ${PROXY_SAW}` },
];

for (const setup of setups) {
  describe(`rotating X-Forwarded-For, ${setup.label}`, () => {
    beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", setup.hops));

    it("does not escape the auth.requestPasswordReset limit (5 an hour)", async () => {
      const codes: string[] = [];
      for (let i = 0; i < 7; i++) codes.push(await trpcCode((await callerFor(null, setup.header())).auth.requestPasswordReset({ email: uniqueEmail("x") })));
      expect(codes).toEqual([...Array<string>(5).fill("OK"), "TOO_MANY_REQUESTS", "TOO_MANY_REQUESTS"]);
    });

    it("does not escape the auth.resetPassword and auth.verifyEmail limits", async () => {
      const reset: string[] = [];
      for (let i = 0; i < 11; i++) reset.push(await trpcCode((await callerFor(null, setup.header())).auth.resetPassword({ token: "t".repeat(43), password: "new password 456" })));
      expect(reset.slice(0, 10).every((c) => c === "BAD_REQUEST")).toBe(true);
      expect(reset[10]).toBe("TOO_MANY_REQUESTS");
      const verify: string[] = [];
      for (let i = 0; i < 31; i++) verify.push(await trpcCode((await callerFor(null, setup.header())).auth.verifyEmail({ token: "v".repeat(43) })));
      expect(verify[29]).toBe("BAD_REQUEST");
      expect(verify[30]).toBe("TOO_MANY_REQUESTS");
    });
  });
}

describe("behind one trusted proxy", () => {
  beforeEach(() => setEnv("TRUSTED_PROXY_HOPS", 1));

  it("keeps separate budgets for separate client addresses", async () => {
    for (let i = 0; i < 5; i++) await (await callerFor(null, `${spoofed()}, 198.51.100.21`)).auth.requestPasswordReset({ email: uniqueEmail("x") });
    expect(await trpcCode((await callerFor(null, "198.51.100.21")).auth.requestPasswordReset({ email: uniqueEmail("x") }))).toBe("TOO_MANY_REQUESTS");
    expect(await trpcCode((await callerFor(null, "198.51.100.22")).auth.requestPasswordReset({ email: uniqueEmail("x") }))).toBe("OK");
  });
});
