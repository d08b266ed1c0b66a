/**
 * The page guards: a signed-in person on a page that is not for their role gets a 403 (forbidden(), shown by a
 * forbidden.tsx with the way forward) instead of a silent redirect; a visitor is still sent to sign in.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { UserRoleName } from "@/lib/labels";
import nextConfig from "../../../next.config";
import { useEnvOverrides } from "@/test/env";

const as = vi.hoisted(() => ({ role: null as UserRoleName | null, twoFactorEnabled: false }));
vi.mock("./index", () => ({
  auth: async () => (as.role ? { user: { id: "usr_test", email: "someone@example.com", role: as.role, onboarded: true, twoFactorEnabled: as.twoFactorEnabled } } : null),
}));

const { requireAdmin, requireUser } = await import("./guards");
const setEnv = useEnvOverrides();
const { requireProvider } = await import("./require-provider");

// What next.config.ts's experimental.authInterrupts sets in a build; forbidden() refuses to run without it.
beforeEach(() => {
  vi.stubEnv("__NEXT_EXPERIMENTAL_AUTH_INTERRUPTS", "true");
  return () => vi.unstubAllEnvs();
});

/** How a guard ended: the user it let through, a redirect's target, or "403". */
async function outcome(role: UserRoleName | null, guard: () => Promise<{ role: string }>): Promise<string> {
  as.role = role;
  try {
    return `user:${(await guard()).role}`;
  } catch (err) {
    const digest = String((err as { digest?: string }).digest ?? "");
    if (digest === "NEXT_HTTP_ERROR_FALLBACK;403") return "403";
    if (digest.startsWith("NEXT_REDIRECT")) return `redirect:${digest.split(";")[2]}`;
    throw err;
  }
}

describe("page guards", () => {
  it("answer 403 to a signed-in trader or provider in the admin area", async () => {
    expect(await outcome("subscriber", requireAdmin)).toBe("403");
    expect(await outcome("provider", requireAdmin)).toBe("403");
    expect(await outcome("admin", requireAdmin)).toBe("user:admin");
  });

  it("answer 403 to a trader or an admin on a provider's page", async () => {
    expect(await outcome("subscriber", () => requireProvider("/signals"))).toBe("403");
    expect(await outcome("admin", () => requireProvider("/revenue"))).toBe("403");
    expect(await outcome("provider", () => requireProvider("/signals"))).toBe("user:provider");
  });

  it("still send a visitor to sign in, and back to the page after", async () => {
    expect(await outcome(null, () => requireProvider("/signals"))).toBe("redirect:/signin?callbackUrl=%2Fsignals");
    expect(await outcome(null, requireAdmin)).toBe("redirect:/signin?callbackUrl=%2Fadmin");
    expect(await outcome(null, () => requireUser())).toBe("redirect:/signin");
  });

  it("send an admin without two-factor sign-in to turn it on, in production only (issue 17)", async () => {
    setEnv("NODE_ENV", "production");
    as.twoFactorEnabled = false;
    expect(await outcome("admin", requireAdmin)).toBe("redirect:/settings/security?required=admin");
    expect(await outcome("subscriber", requireAdmin)).toBe("403");
    as.twoFactorEnabled = true;
    expect(await outcome("admin", requireAdmin)).toBe("user:admin");
    setEnv("NODE_ENV", "development");
    as.twoFactorEnabled = false;
    expect(await outcome("admin", requireAdmin)).toBe("user:admin");
  });

  it("rely on forbidden(), which the build enables with experimental.authInterrupts", () => {
    expect(nextConfig.experimental?.authInterrupts).toBe(true);
  });
});
