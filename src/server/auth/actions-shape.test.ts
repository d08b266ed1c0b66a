/**
 * A server action is an endpoint anyone can post to, with any arguments Next can decode: `[{}, "x"]` instead of the
 * form's state and FormData. Each form action answers such a call with a message, as a form error, instead of
 * throwing on `form.get` (a 500).
 */
import { describe, expect, it, vi } from "vitest";
import { useTestDatabase } from "@/test/db";

vi.mock("next/headers", () => ({ headers: async () => new Headers(), cookies: async () => ({ get: () => undefined, set: () => undefined }) }));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));

useTestDatabase();

const actions = async () => {
  const auth = await import("./actions");
  const dev = await import("@/app/dev/stripe/actions");
  const admin = await import("@/app/admin/revenue/actions");
  return {
    signInAction: auth.signInAction,
    signUpAction: auth.signUpAction,
    completeOnboardingAction: dev.completeOnboardingAction,
    payCheckoutAction: dev.payCheckoutAction,
    portalAction: dev.portalAction,
    advanceClockAction: admin.advanceClockAction,
  } as Record<string, (prev: unknown, form: unknown) => Promise<unknown>>;
};

describe("form actions called with something other than a form", () => {
  it("answer with a message and throw nothing", async () => {
    for (const [name, action] of Object.entries(await actions())) {
      for (const form of ["x", {}, [], null, { get: 1 }]) {
        const state = await action({}, form).catch((err: unknown) => ({ threw: String(err) }));
        expect(state, `${name}(${JSON.stringify(form)})`).toMatchObject({ message: expect.stringMatching(/could not be read/) });
      }
    }
  });
});
