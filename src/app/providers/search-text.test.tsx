/**
 * A search box's text arrives in the URL, where anyone can put anything: a query the text rule refuses (a NUL or
 * other control character) must fall back to no search, as every other malformed filter does, not fail the page
 * with a 500 (issue 9, defect 3: "search `q` of the leaderboard", "admin search").
 */
import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { useTestDatabase } from "@/test/db";
import { callerFor, createUser } from "@/test/factories";

const as: { caller: unknown } = { caller: null };
vi.mock("@/trpc/server", () => ({ api: async () => as.caller }));
// The marketplace's filters navigate with the app router, which a static render has no instance of.
vi.mock("next/navigation", async (importOriginal) => ({ ...(await importOriginal<object>()), useRouter: () => ({ push: () => {} }) }));
vi.mock("@/server/auth/guards", () => ({
  requireAdmin: async () => ({ id: "usr_admin", role: "admin" }),
  requireUser: async () => ({ id: "usr_trader", role: "subscriber" }),
}));

// The marketplace records a signed-in visit (onboarding); a static render has no request, so nobody is signed in.
vi.mock("@/server/auth", async (original) => ({ ...(await original<typeof import("@/server/auth")>()), auth: async () => null }));

const { default: ProvidersPage } = await import("./page");
const { default: AdminUsersPage } = await import("../admin/users/page");
const { default: CheckoutWelcomePage } = await import("../(app)/subscriptions/welcome/page");

useTestDatabase();

describe("search text from the URL", () => {
  it("/providers?q= with a NUL or another control character renders the unfiltered directory", async () => {
    as.caller = await callerFor(null);
    for (const q of ["a\u0000b", "\u0007", "x\u009b"]) {
      const html = renderToStaticMarkup(await ProvidersPage({ searchParams: Promise.resolve({ q }) }));
      expect(html).toContain("Marketplace");
      // No search was run: the empty directory says there are no providers yet, not that none match.
      expect(html).toContain("No providers yet");
    }
  });

  it("/admin/users?q= with a NUL renders the unfiltered list", async () => {
    as.caller = await callerFor(await createUser("admin"));
    // The page's client parts need the browser's tRPC provider; that the server part builds is what is at stake.
    await expect(AdminUsersPage({ searchParams: Promise.resolve({ q: "adm\u0000" }) })).resolves.toBeTruthy();
  });

  it("/subscriptions/welcome?session_id= with a NUL goes back to the subscriptions page like any unknown checkout", async () => {
    as.caller = await callerFor(await createUser("subscriber"));
    await expect(CheckoutWelcomePage({ searchParams: Promise.resolve({ session_id: "cs_\u0000" }) })).rejects.toMatchObject({ digest: expect.stringContaining("/subscriptions;") });
  });
});
