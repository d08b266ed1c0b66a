/**
 * Accounts: sign-up, credential check, email verification, password reset and change.
 * Every write runs in one transaction with its audit row and the email it causes (outbox), so a refused or
 * failed request leaves no trace. One-time tokens are random 32-byte strings; only their sha256 is stored, and the
 * emailed link is a one-time link of the outbox (sealed, never in the stored copy).
 * A password change or reset bumps the account's session version in the same transaction, which ends every
 * session signed in before it (checked by the Auth.js `jwt` callback on each resolve).
 * Who acts and from where come from the ServiceContext: the visitor signing up or asking for a reset (`ctx.ip` goes
 * in the audit row), or the signed-in user (`ctx.actor`) onboarding or changing their password.
 */
import "server-only";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { createElement } from "react";
import { db, type Executor } from "@/server/db";
import { authTokens, notificationPrefs, userSessions, users, type UserRole } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError, isUniqueViolation } from "@/server/errors";
import { randomToken, sha256Hex } from "@/server/crypto/secret-box";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext, ServiceContext } from "@/server/services/context";
import { emailsQueued } from "@/server/services/email/delivery";
import { queueEmail } from "@/server/services/email/outbox";
import { queueSecurityAlert } from "@/server/services/alerts/security";
import { createProviderProfile } from "@/server/services/providers";
import { pathForRole, queueWelcome, startOnboarding } from "@/server/services/onboarding";
import { sendEvent } from "@/server/jobs/events";
import { emailSchema, signUpSchema, type SignUpInput } from "@/lib/validation/auth";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./passwords";
import { issueSessionRenewal } from "./session-renewal";
import { endSessionsOf, type SessionRowState } from "./user-sessions";
import VerifyEmail from "@emails/verify-email";
import ResetPassword from "@emails/reset-password";

const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
const RESET_TTL_MS = 60 * 60 * 1000;

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  role: UserRole;
}

export { issueSessionRenewal, redeemSessionRenewal } from "./session-renewal";

const EMAIL_TAKEN = "An account with this email already exists. Sign in or reset your password.";

async function issueToken(tx: Executor, userId: string, kind: "verify_email" | "reset_password", ttlMs: number) {
  const token = randomToken();
  await tx.insert(authTokens).values({ userId, kind, tokenHash: sha256Hex(token), expiresAt: new Date(Date.now() + ttlMs) });
  return token;
}

async function verifyLink(tx: Executor, ctx: ServiceContext, userId: string) {
  const token = await issueToken(tx, userId, "verify_email", VERIFY_TTL_MS);
  return `${ctx.baseUrl}/verify?token=${encodeURIComponent(token)}`;
}

/** The verification email on its own: a new link asked for later (the welcome email carried the first). */
async function sendVerification(tx: Executor, ctx: ServiceContext, user: { id: string; email: string; name: string | null }) {
  const url = await verifyLink(tx, ctx, user.id);
  await queueEmail(tx, {
    to: user.email,
    userId: user.id,
    kind: "verify_email",
    subject: "Confirm your email for Tradsy",
    template: (oneTimeLink) => createElement(VerifyEmail, { name: user.name ?? "there", url: oneTimeLink(url) }),
  });
}

export async function signUp(ctx: ServiceContext, raw: SignUpInput): Promise<PublicUser> {
  const parsed = signUpSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError("Check the highlighted fields", fieldErrorsFromZod(parsed.error));
  }
  const input = parsed.data;
  const passwordHash = await hashPassword(input.password);
  const now = ctx.now;
  let created: PublicUser;
  try {
    created = await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({
          email: input.email,
          name: input.name,
          passwordHash,
          role: input.role,
          disclaimerAcceptedAt: now,
          termsAcceptedAt: now,
        })
        .returning();
      if (!user) throw new Error("insert returned no row");
      await tx.insert(notificationPrefs).values({ userId: user.id });
      if (input.role === "provider") await createProviderProfile(tx, { userId: user.id, displayName: input.name });
      await recordAudit(tx, {
        actorId: user.id,
        action: "user.signed_up",
        targetType: "user",
        targetId: user.id,
        data: { role: input.role, disclaimerAcceptedAt: now.toISOString(), termsAcceptedAt: now.toISOString() },
        ip: ctx.ip,
      });
      // The welcome email (day 0 of the onboarding sequence) carries the verification link in place of a separate
      // verification email; the sequence's own day-0 step then finds it queued (same dedupe key) and adds nothing.
      await startOnboarding(tx, user.id, pathForRole(input.role), now);
      await queueWelcome(tx, { user, baseUrl: ctx.baseUrl, verifyUrl: await verifyLink(tx, ctx, user.id), now });
      return { id: user.id, email: user.email, name: user.name, role: user.role };
    });
  } catch (err) {
    if (isUniqueViolation(err, "users_email_idx")) throw new ValidationError(EMAIL_TAKEN, { email: [EMAIL_TAKEN] });
    throw err;
  }
  await startSequence(ctx, created.id, pathForRole(created.role));
  return created;
}

/**
 * Starts the onboarding email sequence, after the commit that created the onboarding row (a job must not wake before
 * the row it reads exists). The event id makes a repeat start nothing; a failure to send is logged, not the
 * sign-up's: the account exists and its welcome email is queued.
 */
async function startSequence(ctx: ServiceContext, userId: string, path: "trader" | "provider") {
  await emailsQueued();
  try {
    await sendEvent("user/signed-up", { userId, path }, { id: `user/signed-up:${userId}` });
  } catch (err) {
    ctx.log.error({ err, userId }, "could not start the onboarding sequence");
  }
}

/** For OAuth users: choose a role and accept the disclaimer and terms once. */
export async function completeOnboarding(ctx: ActingContext, input: { role: "subscriber" | "provider" }): Promise<void> {
  const userId = ctx.actor.id;
  const role = await db.transaction(async (tx) => {
    const user = await tx.query.users.findFirst({ where: eq(users.id, userId) });
    if (!user) throw new NotFoundError("Account not found");
    if (user.disclaimerAcceptedAt) throw new ConflictError("You have already completed onboarding");
    const now = ctx.now;
    // Admins keep their role; everyone else takes the one they chose.
    const role = user.role === "admin" ? "admin" : input.role;
    await tx.update(users).set({ role, disclaimerAcceptedAt: now, termsAcceptedAt: now }).where(eq(users.id, userId));
    await tx.insert(notificationPrefs).values({ userId }).onConflictDoNothing();
    if (role === "provider") await createProviderProfile(tx, { userId, displayName: user.name ?? user.email.split("@")[0]! });
    await recordAudit(tx, {
      actorId: userId,
      action: "user.onboarded",
      targetType: "user",
      targetId: userId,
      data: { role, disclaimerAcceptedAt: now.toISOString(), termsAcceptedAt: now.toISOString() },
      ip: ctx.ip,
    });
    // An OAuth sign-up: the sequence's day-0 step queues the welcome (its address came confirmed or is confirmed
    // from the dashboard: no verification link in it).
    await startOnboarding(tx, userId, pathForRole(role), now);
    return role;
  });
  await startSequence(ctx, userId, pathForRole(role));
}

/**
 * Credential check for Auth.js. Same cost whether or not the email exists.
 * Returns the session version read in the same row as the hash it checked: the new session is stamped with it, so
 * a password change or reset that commits while the check runs (or before the token is made) ends this session too.
 * Reading the version again after the check would stamp the changed account's version on a sign-in made with the
 * old password.
 */
export async function verifyCredentials(emailRaw: string, password: string): Promise<(PublicUser & { sessionVersion: number; twoFactorEnabled: boolean }) | null> {
  const email = emailSchema.safeParse(emailRaw);
  if (!email.success || !password) return null;
  const user = await db.query.users.findFirst({ where: eq(users.email, email.data) });
  if (!user?.passwordHash) {
    await verifyPassword(await dummyPasswordHash(), password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, sessionVersion: user.sessionVersion, twoFactorEnabled: user.totpEnabledAt !== null };
}

// In SQL, so two concurrent changes each get their own version instead of both writing the same one.
const nextSessionVersion = sql`${users.sessionVersion} + 1`;

async function consumeToken(tx: Executor, token: string, kind: "verify_email" | "reset_password") {
  const [row] = await tx
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(authTokens.tokenHash, sha256Hex(token)),
        eq(authTokens.kind, kind),
        isNull(authTokens.usedAt),
        gt(authTokens.expiresAt, new Date()),
      ),
    )
    .returning({ userId: authTokens.userId });
  return row?.userId;
}

export async function verifyEmail(token: string): Promise<void> {
  await db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, "verify_email");
    if (!userId) throw new ValidationError("This confirmation link has expired or was already used. Request a new one.");
    await tx.update(users).set({ emailVerified: new Date() }).where(eq(users.id, userId));
    await recordAudit(tx, { actorId: userId, action: "user.email_verified", targetType: "user", targetId: userId });
  });
}

export async function resendVerification(ctx: ActingContext): Promise<void> {
  await db.transaction(async (tx) => {
    const user = await tx.query.users.findFirst({ where: eq(users.id, ctx.actor.id) });
    if (!user) throw new NotFoundError("Account not found");
    if (user.emailVerified) throw new ConflictError("Your email is already confirmed");
    await sendVerification(tx, ctx, user);
  });
  await emailsQueued();
}

/** Always succeeds from the caller's point of view, so the form cannot be used to probe for accounts. */
export async function requestPasswordReset(ctx: ServiceContext, emailRaw: string): Promise<void> {
  const email = emailSchema.parse(emailRaw);
  await db.transaction(async (tx) => {
    const user = await tx.query.users.findFirst({ where: eq(users.email, email) });
    if (!user) return;
    const token = await issueToken(tx, user.id, "reset_password", RESET_TTL_MS);
    await queueEmail(tx, {
      to: user.email,
      userId: user.id,
      kind: "reset_password",
      subject: "Reset your Tradsy password",
      template: (oneTimeLink) =>
        createElement(ResetPassword, { name: user.name ?? "there", url: oneTimeLink(`${ctx.baseUrl}/reset?token=${encodeURIComponent(token)}`) }),
    });
    await recordAudit(tx, { actorId: user.id, action: "user.password_reset_requested", targetType: "user", targetId: user.id, ip: ctx.ip });
  });
  await emailsQueued();
}

/**
 * A new password voids every reset link sent before it: whoever could read the old mail (or intercepted it) must
 * not be able to undo the change, whether it came through one of those links or from the settings page.
 */
async function voidResetLinks(tx: Executor, userId: string): Promise<void> {
  await tx
    .update(authTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(authTokens.userId, userId), eq(authTokens.kind, "reset_password"), isNull(authTokens.usedAt)));
}

export async function resetPassword(ctx: ServiceContext, token: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const userId = await consumeToken(tx, token, "reset_password");
    if (!userId) throw new ValidationError("This reset link has expired or was already used. Request a new one.");
    // Resetting through the emailed link also proves the address. Every session ends, the one in this browser too
    // (if any): whoever asked for the reset may not be the one holding the sessions.
    await tx.update(users).set({ passwordHash, emailVerified: new Date(), sessionVersion: nextSessionVersion }).where(eq(users.id, userId));
    await voidResetLinks(tx, userId);
    await endSessionsOf(tx, userId, ctx.now);
    await recordAudit(tx, { actorId: userId, action: "user.password_reset", targetType: "user", targetId: userId, ip: ctx.ip });
    await queueSecurityAlert(tx, ctx, userId, "password_reset");
  });
  await emailsQueued();
}

/**
 * Changes the actor's password and ends the account's other sessions. The actor's own session ends too unless it
 * presents the returned renewal (see `session-renewal.ts`), as the settings page does at once; `session.sessionId`
 * (the actor's session) is the only session that renewal can revive.
 */
export async function changePassword(
  ctx: ActingContext,
  input: { currentPassword: string; newPassword: string },
  session: { sessionId?: string | null } = {},
): Promise<{ sessionRenewal: string }> {
  const userId = ctx.actor.id;
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw new NotFoundError("Account not found");
  if (!user.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw new ValidationError("Your current password is not correct", { currentPassword: ["Your current password is not correct"] });
  }
  const passwordHash = await hashPassword(input.newPassword);
  const sessionVersion = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ passwordHash, sessionVersion: nextSessionVersion })
      .where(eq(users.id, userId))
      .returning({ sessionVersion: users.sessionVersion });
    if (!row) throw new NotFoundError("Account not found");
    await voidResetLinks(tx, userId);
    // The devices list stops showing the sessions the new version ends. Only when the session making the change is
    // known (a browser's tRPC call always is): its row must survive for the renewal to revive it.
    const current = session.sessionId ?? ctx.sessionId;
    if (current) await endSessionsOf(tx, userId, ctx.now, current);
    await recordAudit(tx, { actorId: userId, action: "user.password_changed", targetType: "user", targetId: userId, ip: ctx.ip });
    await queueSecurityAlert(tx, ctx, userId, "password_changed");
    return row.sessionVersion;
  });
  await emailsQueued();
  return { sessionRenewal: issueSessionRenewal(userId, sessionVersion, new Date(), session.sessionId ?? null) };
}

/**
 * Session refresh: the current role, onboarding state and session version, or null when the account no longer
 * exists. With `sessionId`, that session's row comes in the same query (`sessionRow`, null when there is none), so
 * the jwt callback's resolve stays one read (see user-sessions.ts, sessionRowAlive).
 */
export async function loadSessionUser(userId: string, sessionId?: string | null) {
  const [row] = await db
    .select({
      user: {
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        disclaimerAcceptedAt: users.disclaimerAcceptedAt,
        emailVerified: users.emailVerified,
        sessionVersion: users.sessionVersion,
        totpEnabledAt: users.totpEnabledAt,
        deletedAt: users.deletedAt,
      },
      sessionRow: { userId: userSessions.userId, revokedAt: userSessions.revokedAt, lastSeenAt: userSessions.lastSeenAt, ip: userSessions.ip },
    })
    .from(users)
    .leftJoin(userSessions, sessionId ? eq(userSessions.id, sessionId) : sql`false`)
    .where(eq(users.id, userId));
  // A deleted account has no session, whatever its token says (the version moved on too; this does not rely on it).
  if (!row || row.user.deletedAt) return null;
  const { totpEnabledAt, deletedAt: _deleted, ...rest } = row.user;
  const sessionRow: SessionRowState | null = row.sessionRow;
  // Read on every resolve, like the role: an admin's reset of someone's two-factor sign-in shows at once.
  return { ...rest, twoFactorEnabled: totpEnabledAt !== null, sessionRow };
}
