/**
 * The sign-in and sign-up forms (server actions) with a control character in a field (issue 9, defect 3): the form
 * is told which field is wrong, the same rule as every tRPC and REST input, and nothing is written.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/test/db";
import { uniqueEmail } from "@/test/factories";
import { changedTables, tableCounts } from "@/test/tables";
import { resetRateLimits } from "@/server/rate-limit";

vi.mock("next/headers", () => ({
  headers: async () => new Headers({ host: "localhost:3000" }),
  cookies: async () => ({ get: () => undefined, getAll: () => [], has: () => false, set: () => undefined, delete: () => undefined }),
}));

const { signInAction, signUpAction } = await import("./actions");

useTestDatabase();
beforeEach(() => resetRateLimits());

const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

describe("a control character in a form field", () => {
  it("sign-up: names the field, creates no account", async () => {
    const before = await tableCounts();
    const state = await signUpAction({}, form({ name: "Ada\u0000Lovelace", email: uniqueEmail("ada"), password: "analytical engine", role: "subscriber", acceptDisclaimer: "on", acceptTerms: "on" }));
    expect(state).toMatchObject({ message: expect.stringMatching(/^Name contains a control character \(U\+0000\)/), fieldErrors: { name: [expect.stringMatching(/control character/)] } });
    expect(changedTables(before, await tableCounts())).toEqual({});
  });

  it("sign-in: names the field, records nothing", async () => {
    const before = await tableCounts();
    const state = await signInAction({}, form({ email: "someone@example.com", password: "pass\u0001word-long" }));
    expect(state).toMatchObject({ message: expect.stringMatching(/^Password contains a control character \(U\+0001\)/), fieldErrors: { password: [expect.any(String)] } });
    expect(changedTables(before, await tableCounts())).toEqual({});
  });
});
