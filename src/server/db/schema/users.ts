import "server-only";
import { bigint, index, integer, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId, tstz, updatedAt } from "./_shared";

export const userRole = pgEnum("user_role", ["subscriber", "provider", "admin"]);
export type UserRole = (typeof userRole.enumValues)[number];
/** Asked in a trader's onboarding (optional, editable in Settings); the Strategy Library's recommendations use them. */
export const riskTolerance = pgEnum("risk_tolerance", ["low", "medium", "high"]);
export const tradingExperience = pgEnum("trading_experience", ["beginner", "intermediate", "expert"]);

export const users = pgTable(
  "users",
  {
    id: prefixedId("usr"),
    name: text(),
    // INVARIANT: stored trimmed and lower-cased; the unique index is the only guard against duplicates.
    email: text().notNull(),
    emailVerified: tstz(),
    image: text(),
    passwordHash: text(),
    role: userRole().notNull().default("subscriber"),
    disclaimerAcceptedAt: tstz(),
    termsAcceptedAt: tstz(),
    /**
     * The TOTP secret, sealed for "totp-secret" (src/server/crypto), never the plain secret. Set while enrolling
     * (pending until `totpEnabledAt`) and while enabled; null when two-factor sign-in is off.
     */
    totpSecretEnc: text(),
    /** When two-factor sign-in was confirmed with a first code; null while off or only pending. */
    totpEnabledAt: tstz(),
    /** The last TOTP time step (unix seconds / 30) a code was accepted for: that step and older are refused (no replay). */
    totpLastStep: bigint({ mode: "number" }),
    /**
     * When the account was deleted by its owner: personal data is erased, the row stays (a provider's published
     * chain and payments the law keeps still point to it) and can never sign in again.
     */
    deletedAt: tstz(),
    stripeCustomerId: text(),
    riskTolerance: riskTolerance(),
    experience: tradingExperience(),
    /**
     * Stamped into each session's JWT at sign-in and checked on every resolve: bumping it (password change or
     * reset) ends every session holding an older value.
     */
    sessionVersion: integer().notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_idx").on(t.email), uniqueIndex("users_stripe_customer_id_idx").on(t.stripeCustomerId), index("users_created_at_idx").on(t.createdAt)],
);

/** Auth.js adapter tables (OAuth accounts; sessions are JWTs, the table exists for the adapter contract). */
export const accounts = pgTable(
  "accounts",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text().$type<"oauth" | "oidc" | "email" | "webauthn">().notNull(),
    provider: text().notNull(),
    providerAccountId: text().notNull(),
    refresh_token: text(),
    access_token: text(),
    expires_at: integer(),
    token_type: text(),
    scope: text(),
    id_token: text(),
    session_state: text(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index("accounts_user_id_idx").on(t.userId)],
);

export const sessions = pgTable(
  "sessions",
  {
    sessionToken: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expires: tstz().notNull(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text().notNull(),
    token: text().notNull(),
    expires: tstz().notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

export const authTokenKind = pgEnum("auth_token_kind", ["verify_email", "reset_password"]);

/** One-time links for email verification and password reset. Only the sha256 of the token is stored. */
export const authTokens = pgTable(
  "auth_tokens",
  {
    id: prefixedId("tok"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: authTokenKind().notNull(),
    tokenHash: text().notNull(),
    expiresAt: tstz().notNull(),
    usedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("auth_tokens_token_hash_idx").on(t.tokenHash), index("auth_tokens_user_id_idx").on(t.userId)],
);

/**
 * One row per sign-in (a browser or API client holding a session cookie): its id is the JWT's `sid`, checked on
 * every resolve, so ending one here ends that session at once. Listed to the owner as "signed-in devices".
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: text().primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The User-Agent header at sign-in (trimmed to 512 characters). */
    userAgent: text(),
    /** The client address at sign-in, then as last seen. */
    ip: text(),
    createdAt: createdAt(),
    lastSeenAt: tstz().notNull().defaultNow(),
    /** Signed out (by itself, from another device, or by "sign out all"): the session no longer resolves. */
    revokedAt: tstz(),
    /** When this session passed a TOTP or recovery code (sign-in or step-up); null if it never did. */
    twoFactorAt: tstz(),
    /** The last step-up (re-entered code or password): sensitive changes are allowed for 10 minutes after it. */
    stepUpAt: tstz(),
  },
  (t) => [index("user_sessions_user_id_idx").on(t.userId)],
);

/** Single-use recovery codes for two-factor sign-in: only a hash is stored; ten are issued at a time. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: prefixedId("rcv"),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: tstz(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("recovery_codes_code_hash_idx").on(t.codeHash), index("recovery_codes_user_id_idx").on(t.userId)],
);
