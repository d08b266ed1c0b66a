/**
 * Where the sign-in page sends someone signed in: a sign-in with no callbackUrl lands here (AFTER_SIGN_IN, see
 * src/lib/home.ts), so this is where an admin is sent to the admin overview and everyone else to their dashboard.
 */
import { describe, expect, it, vi } from "vitest";
import type { UserRoleName } from "@/lib/labels";

const as = vi.hoisted(() => ({ role: null as UserRoleName | null }));
vi.mock("@/server/auth", () => ({
  auth: async () => (as.role ? { user: { id: "usr_test", email: "someone@example.com", role: as.role, onboarded: true } } : null),
  oauthProviders: { github: false, google: false },
  signIn: async () => undefined,
}));

const { default: SignInPage } = await import("./page");

/** Where the page redirected (Next's redirect() throws), or null when it rendered the form. */
async function destination(role: UserRoleName | null, searchParams: Record<string, string> = {}): Promise<string | null> {
  as.role = role;
  try {
    await SignInPage({ searchParams: Promise.resolve(searchParams) });
    return null;
  } catch (err) {
    const digest = (err as { digest?: string }).digest;
    if (typeof digest === "string" && digest.startsWith("NEXT_REDIRECT")) return digest.split(";")[2]!;
    throw err;
  }
}

describe("/signin for someone signed in", () => {
  it("sends an admin to the admin overview, a trader or provider to the dashboard", async () => {
    expect(await destination("admin")).toBe("/admin");
    expect(await destination("subscriber")).toBe("/dashboard");
    expect(await destination("provider")).toBe("/dashboard");
  });

  it("keeps to a callbackUrl on this site, and to the role's home for any other", async () => {
    expect(await destination("admin", { callbackUrl: "/providers/momentum-desk#subscribe" })).toBe("/providers/momentum-desk#subscribe");
    expect(await destination("admin", { callbackUrl: "https://evil.example/" })).toBe("/admin");
    expect(await destination("admin", { callbackUrl: "/\\evil.example" })).toBe("/admin");
    expect(await destination("subscriber", { callbackUrl: "/signin" })).toBe("/dashboard");
  });

  it("shows the form to a visitor", async () => {
    expect(await destination(null)).toBeNull();
  });
});
