/**
 * Auth.js v5 configuration. Email + password (Credentials, JWT sessions) always; GitHub and Google only when their
 * keys are configured. The JWT carries only the user id, its own session id and the account's session version at
 * sign-in (read with the credentials it checked): role and
 * onboarding state are re-read on every session resolve, so an admin's role change or a deleted account takes
 * effect at once, and a password change or reset (which bumps the version) ends the sessions signed in before it.
 */
import "server-only";
import type { NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { env } from "@/env";
import { oauthProvidersFrom } from "@/lib/oauth-providers";
import { logger } from "@/server/logger";
import { getDatabase } from "@/server/db";
import { accounts, sessions, users, verificationTokens, type UserRole } from "@/server/db/schema";
import { getAuthSecret } from "@/server/secrets";
import { twoFactorEnabled } from "@/server/services/auth/two-factor";
import { randomToken } from "@/server/crypto/secret-box";
import { loadSessionUser, redeemSessionRenewal } from "@/server/services/auth";
import { clientIp } from "@/server/http/client-ip";
import { authorizeCredentials, signInFromKnownDevice } from "./sign-in-limits";
import { headers as requestHeaders } from "next/headers";
import { userAgentFrom } from "@/server/services/context";
import { createUserSession, endSignedOutSession, sessionRowAlive } from "@/server/services/auth/user-sessions";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: UserRole; onboarded: boolean; emailVerified: boolean; email: string; name?: string | null; twoFactorEnabled: boolean };
    /** The session's own id, given at sign-in (absent for sessions signed in before ids existed). */
    sessionId?: string;
    /** The account's session version this session carries (the current one: an older one does not resolve). */
    sessionVersion?: number;
  }
  interface User {
    /**
     * The account's session version as read with what signed it in: the credentials' password hash, or the adapter's
     * account row (OAuth). The new session is stamped with it.
     */
    sessionVersion?: number;
    /** A second factor (TOTP or recovery code) was checked for this sign-in: the session row records it. */
    twoFactor?: boolean;
  }
}

/** The same rule as the page CSP's form-action targets (src/proxy.ts), so the buttons and the policy agree. */
export const oauthProviders = oauthProvidersFrom(env);

/**
 * The account row the `jwt` callback just read, for the `session` callback of the same resolve (Auth.js passes it
 * the same token object), so a resolve reads the user once.
 */
const resolvedUsers = new WeakMap<object, NonNullable<Awaited<ReturnType<typeof loadSessionUser>>>>();

/**
 * The request's client address and User-Agent for the session row. `headers()` throws outside a request (a script
 * or a test calling the callbacks directly): then neither is known.
 */
async function requestDetails(): Promise<{ ip: string | null; userAgent: string | null }> {
  try {
    const h = await requestHeaders();
    return { ip: clientIp(h), userAgent: userAgentFrom(h) };
  } catch {
    return { ip: null, userAgent: null };
  }
}

/** A password sign-in's known-browser answer as "new device": unknown (OAuth) stays unknown and sends no alert. */
const knownDeviceToNew = (known: boolean | undefined): boolean | undefined => (known === undefined ? undefined : !known);

export async function buildAuthConfig(): Promise<NextAuthConfig> {
  // The adapter inspects the client's class, so it gets the real drizzle instance rather than the lazy proxy.
  const { db: client } = await getDatabase();
  return {
    secret: getAuthSecret(),
    // Self-hosted behind our own proxy or on localhost; the host header is trusted.
    trustHost: true,
    // Auth.js logs every refused sign-in as an error with a stack trace; a wrong password is the caller's mistake
    // (counted by the sign-in limits), and a password-spraying run must not flood the error log. Everything else
    // goes to our logger.
    logger: {
      error(error) {
        if ((error as { type?: string }).type === "CredentialsSignin") return;
        logger.error({ err: error }, "auth error");
      },
      warn(code) {
        logger.warn({ code }, "auth warning");
      },
    },
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin", newUser: "/welcome" },
    adapter: DrizzleAdapter(client, { usersTable: users, accountsTable: accounts, sessionsTable: sessions, verificationTokensTable: verificationTokens }),
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" }, code: { label: "Authentication code", type: "text" } },
        // Password, then the second factor when the account has one (see sign-in-limits.ts, authorizeCredentials).
        authorize: (credentials, request) => authorizeCredentials(credentials, request),
      }),
      ...(oauthProviders.github ? [GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET })] : []),
      ...(oauthProviders.google ? [Google({ clientId: env.AUTH_GOOGLE_ID, clientSecret: env.AUTH_GOOGLE_SECRET })] : []),
    ],
    events: {
      // "Sign out" clears this browser's cookie, but the JWT stays valid until it expires: a copy of the cookie taken
      // before would keep working, and the devices list would show the session. Ending its row ends every copy at
      // its next resolve (the jwt callback's INVARIANT below). Auth.js logs a failure here and signs out anyway.
      async signOut(message) {
        const token = "token" in message ? message.token : null;
        if (token && typeof token.sid === "string" && typeof token.sub === "string") await endSignedOutSession(token.sid, token.sub);
      },
    },
    callbacks: {
      // Issue 17: GitHub and Google cannot ask for our second factor, so an account with two-factor sign-in on signs
      // in with its email, password and code only (the form then says to use them; an OAuth-only account sets a
      // password through "Forgot your password?"). Credentials sign-ins were checked in `authorize`.
      async signIn({ user, account }) {
        if (!account || account.provider === "credentials" || !user.id) return true;
        return !(await twoFactorEnabled(user.id));
      },
      // Runs on every session resolve. Returning null ends the session (Auth.js answers "no session" and clears
      // the cookie where it can set cookies).
      async jwt({ token, user, trigger, session }) {
        if (user?.id) {
          token.sub = user.id;
          // Sign-in stamps the version read together with what was checked (the password hash), never one read
          // afterwards: a password change or reset that committed in between would otherwise be stamped on a
          // sign-in made with the old password. No version, no session.
          if (typeof user.sessionVersion !== "number") return null;
          token.sessionVersion = user.sessionVersion;
          // This session's own id, which a password change's renewal names (see session-renewal.ts), and the id of
          // its user_sessions row (the signed-in devices list; signing a device out revokes the row).
          const newSid = randomToken(16);
          token.sid = newSid;
          const from = await requestDetails();
          await createUserSession({
            id: newSid,
            userId: user.id,
            ...from,
            twoFactor: (user as { twoFactor?: boolean }).twoFactor === true,
            newDevice: knownDeviceToNew(signInFromKnownDevice()),
          });
        }
        const sid = typeof token.sid === "string" ? token.sid : null;
        // The account and this session's row, in one query.
        const fresh = token.sub ? await loadSessionUser(token.sub, sid) : null;
        if (!fresh) return null; // account deleted
        // INVARIANT: a session resolves only while its user_sessions row exists and is not revoked. Tokens without a
        // sid (signed in before session ids existed) have no row and end. At sign-in the row was just written.
        const alive = user?.id ? true : sid ? await sessionRowAlive(sid, fresh.id, fresh.sessionRow, new Date(), (await requestDetails()).ip) : false;
        if (!alive) return null; // signed out from the devices list (or by "sign out all")
        if (!user?.id && trigger === "update") {
          // Anyone holding a cookie can ask for an update, so a session moves to a new version only on a sealed
          // renewal issued to this very session (the browser that changed the password).
          const renewed = redeemSessionRenewal((session as { sessionRenewal?: unknown } | undefined)?.sessionRenewal, fresh.id, sid);
          if (renewed !== null) token.sessionVersion = renewed;
        }
        // A password change or reset bumps the account's version, ending every token stamped before. Tokens from
        // before versions existed count as 0, the column's default.
        const version = typeof token.sessionVersion === "number" ? token.sessionVersion : 0;
        // INVARIANT: a session resolves only while its version is the account's current one.
        if (version !== fresh.sessionVersion) return null;
        resolvedUsers.set(token, fresh);
        return token;
      },
      async session({ session, token }) {
        const fresh = resolvedUsers.get(token) ?? (token.sub ? await loadSessionUser(token.sub) : null);
        if (!fresh) return { ...session, user: undefined } as never;
        session.user = {
          ...session.user,
          id: fresh.id,
          email: fresh.email,
          name: fresh.name,
          role: fresh.role,
          onboarded: Boolean(fresh.disclaimerAcceptedAt),
          emailVerified: Boolean(fresh.emailVerified),
          twoFactorEnabled: fresh.twoFactorEnabled,
        } as typeof session.user;
        // Not a credential (the cookie is): it lets a password change name the session its renewal is for.
        if (typeof token.sid === "string") session.sessionId = token.sid;
        // What long-lived work started by this session (a live stream) re-checks, as the jwt callback would.
        session.sessionVersion = typeof token.sessionVersion === "number" ? token.sessionVersion : 0;
        return session;
      },
    },
  };
}
