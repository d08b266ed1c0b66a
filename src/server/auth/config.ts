/**
 * Auth.js v5 configuration. Email + password (Credentials, JWT sessions) always; GitHub and Google only when their
 * keys are configured. The JWT carries only the user id: role and onboarding state are re-read on every session
 * resolve, so an admin's role change or a deleted account takes effect at once.
 */
import "server-only";
import type { NextAuthConfig } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { env } from "@/env";
import { db, getDatabase } from "@/server/db";
import { accounts, sessions, users, verificationTokens, type UserRole } from "@/server/db/schema";
import { getAuthSecret } from "@/server/secrets";
import { loadSessionUser, verifyCredentials } from "@/server/services/auth";
import { consume } from "@/server/rate-limit";
import { clientIp } from "@/server/http/client-ip";
import { recordAudit } from "@/server/services/audit";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: UserRole; onboarded: boolean; emailVerified: boolean; email: string; name?: string | null };
  }
}

export const oauthProviders = {
  github: Boolean(env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET),
  google: Boolean(env.AUTH_GOOGLE_ID && env.AUTH_GOOGLE_SECRET),
};

export async function buildAuthConfig(): Promise<NextAuthConfig> {
  // The adapter inspects the client's class, so it gets the real drizzle instance rather than the lazy proxy.
  const { db: client } = await getDatabase();
  return {
    secret: getAuthSecret(),
    // Self-hosted behind our own proxy or on localhost; the host header is trusted.
    trustHost: true,
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin", newUser: "/welcome" },
    adapter: DrizzleAdapter(client, { usersTable: users, accountsTable: accounts, sessionsTable: sessions, verificationTokensTable: verificationTokens }),
    providers: [
      Credentials({
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const email = typeof credentials.email === "string" ? credentials.email : "";
          const password = typeof credentials.password === "string" ? credentials.password : "";
          const ip = clientIp(request.headers);
          try {
            // Per account (cannot be dodged by changing IP) and per IP (slows spraying across accounts).
            await consume("sign-in-account", email.trim().toLowerCase(), 10, 15 * 60);
            if (ip) await consume("sign-in-ip", ip, 50, 15 * 60);
          } catch {
            return null;
          }
          const user = await verifyCredentials(email, password);
          if (user) await recordAudit(db, { actorId: user.id, action: "user.signed_in", targetType: "user", targetId: user.id, ip });
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
      ...(oauthProviders.github ? [GitHub({ clientId: env.AUTH_GITHUB_ID, clientSecret: env.AUTH_GITHUB_SECRET })] : []),
      ...(oauthProviders.google ? [Google({ clientId: env.AUTH_GOOGLE_ID, clientSecret: env.AUTH_GOOGLE_SECRET })] : []),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user?.id) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        const fresh = token.sub ? await loadSessionUser(token.sub) : null;
        if (!fresh) return { ...session, user: undefined } as never;
        session.user = {
          ...session.user,
          id: fresh.id,
          email: fresh.email,
          name: fresh.name,
          role: fresh.role,
          onboarded: Boolean(fresh.disclaimerAcceptedAt),
          emailVerified: Boolean(fresh.emailVerified),
        } as typeof session.user;
        return session;
      },
    },
  };
}
