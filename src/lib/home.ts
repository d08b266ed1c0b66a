/**
 * Where a person goes once signed in. Admins start on the admin overview, everyone else on their dashboard. An
 * explicit `callbackUrl` (the page that sent them to sign in) wins when it is a path on this site.
 *
 * The email sign-in form redirects by role itself once the password is checked (src/server/auth/actions.ts). An
 * OAuth sign-in must say where to go before the role is known, so with no callbackUrl it goes to the sign-in page
 * (AFTER_SIGN_IN), which sends whoever is signed in on to their home.
 */
import type { UserRoleName } from "./labels";
import { safeRedirectPath } from "./safe-redirect";

export type HomePath = "/admin" | "/dashboard";

export function homePathFor(role: UserRoleName): HomePath {
  return role === "admin" ? "/admin" : "/dashboard";
}

/** Where a sign-in goes when no page asked and the role is not known yet: the sign-in page, which sends a signed-in person home. */
export const AFTER_SIGN_IN = "/signin";

/** Auth pages send a signed-in person on, so going back to one of them after signing in would go round in a circle. */
const AUTH_PAGE = /^\/(signin|signup)(?=[/?#]|$)/;

/** Where a sign-in goes when it succeeds: the callbackUrl asked for when it is a path on this site, else AFTER_SIGN_IN. */
export function afterSignInPath(callbackUrl: unknown): string {
  return safeRedirectPath(callbackUrl, AFTER_SIGN_IN);
}

/** Where the sign-in page sends someone already signed in: the callbackUrl asked for (on this site, not an auth page), else their home. */
export function signedInDestination(callbackUrl: unknown, role: UserRoleName): string {
  const asked = safeRedirectPath(callbackUrl, "");
  return asked && !AUTH_PAGE.test(asked) ? asked : homePathFor(role);
}
