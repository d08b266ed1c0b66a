import "server-only";
import NextAuth from "next-auth";
import { cache } from "react";
import { buildAuthConfig } from "./config";

const nextAuth = NextAuth(() => buildAuthConfig());

export const { handlers, signIn, signOut } = nextAuth;

/** Re-issues the current request's session cookie through the `jwt` callback's "update" (server actions only). */
export const updateSession = nextAuth.unstable_update;

/** The current session, memoised per request for server components. */
export const auth = cache(async () => {
  const session = await nextAuth.auth();
  return session?.user?.id ? session : null;
});

export { oauthProviders } from "./config";
