/**
 * Two-factor sign-in (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way) and its
 * single-use recovery codes; step-up (a code re-entered within 10 minutes before sensitive changes); the admin and
 * operator reset for someone who lost their device.
 *
 * Stored: the secret sealed for "totp-secret" (users.totpSecretEnc), pending until the first code confirms it
 * (users.totpEnabledAt); the last accepted time step (users.totpLastStep); recovery codes as sha256 hashes.
 * INVARIANT: a TOTP code is accepted only for a step later than the last accepted one, and the step is advanced by
 * one conditional UPDATE, so a code (or an older one) cannot be used twice, even by two requests racing.
 * INVARIANT: a recovery code is consumed by one conditional UPDATE (`used_at is null`), so it works once.
 * Every wrong code costs a point per account and per address ("totp-account", "totp-ip"); a right one gives its
 * point back. Every change is audited with the request's address and user agent, and the owner gets the security
 * alert email, in the transaction that makes it.
 */
import "server-only";
import { randomBytes } from "node:crypto";
import { and, count, eq, isNull, lt, or } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import { env } from "@/env";
import { db, type Executor } from "@/server/db";
import { recoveryCodes, userSessions, users } from "@/server/db/schema";
import { openFor, sealFor, sha256Hex } from "@/server/crypto/secret-box";
import { ConflictError, ForbiddenError, LimitExceededError, NotFoundError, StepUpRequiredError, ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { queueSecurityAlert } from "@/server/services/alerts/security";
import type { ActingContext, ServiceContext } from "@/server/services/context";
import { addressKey } from "@/server/http/client-ip";
import { consume, refund, take, waitPhrase } from "@/server/rate-limit";
import { classifyCode, normaliseTotp, RECOVERY_CODE_COUNT, recoveryCodeFrom } from "@/lib/totp/codes";
import { emailsQueued } from "@/server/services/email/delivery";

const ISSUER = "Tradsy";
const PERIOD_SEC = 30;
/** How long a step-up lasts for the session that made it. */
export const STEP_UP_TTL_MS = 10 * 60 * 1000;
/** Wrong codes per account, and per address, in 15 minutes; the next attempt is refused whatever the code. */
export const WRONG_CODES_PER_ACCOUNT = { points: 5, seconds: 15 * 60 } as const;
export const WRONG_CODES_PER_ADDRESS = { points: 20, seconds: 15 * 60 } as const;
/** Enrolments started per account per hour (each makes a secret and a QR code). */
const ENROLMENTS_PER_HOUR = 10;

const WRONG_CODE = "That code is not right. Check your authenticator app and try again.";

/** The context a check needs: who, from where, when (a sign-in builds one before anyone is signed in). */
type CodeContext = Pick<ServiceContext, "ip" | "userAgent" | "now" | "baseUrl">;

function totpFor(secretBase32: string, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: 6, period: PERIOD_SEC, secret: Secret.fromBase32(secretBase32) });
}

/** The time step a TOTP code is for (unix seconds / 30), when it matches the secret within one step of `now`. */
export function matchingStep(secretBase32: string, code: string, now: Date): number | null {
  const totp = totpFor(secretBase32, "check");
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : totp.counter({ timestamp: now.getTime() }) + delta;
}

const hashRecoveryCode = (code: string) => sha256Hex(`recovery-code:${code}`);

function auditEntry(ctx: CodeContext, actorId: string | null, action: string, targetId: string, data?: Record<string, unknown>) {
  return { actorId, action, targetType: "user", targetId, ip: ctx.ip, userAgent: ctx.userAgent ?? null, ...(data ? { data } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Wrong-code limits

/**
 * Takes one attempt from the account's and the address's budgets of wrong codes, in advance (given back on success).
 * Without a trusted address there is no per-address budget: the shared bucket could be used up by one person holding
 * one password, which would lock every account's second factor; the account's budget still holds.
 */
export async function takeCodeAttempt(userId: string, ip: string | null): Promise<{ retryAfterMs: number } | null> {
  const account = await take("totp-account", userId, WRONG_CODES_PER_ACCOUNT.points, WRONG_CODES_PER_ACCOUNT.seconds);
  if (account) return account;
  if (!ip) return null;
  const address = await take("totp-ip", addressKey(ip), WRONG_CODES_PER_ADDRESS.points, WRONG_CODES_PER_ADDRESS.seconds);
  if (address) {
    await refund("totp-account", userId); // the account was not tried
    return address;
  }
  return null;
}

/** Gives back the points a right code took: only wrong codes count. */
export async function refundCodeAttempt(userId: string, ip: string | null): Promise<void> {
  await refund("totp-account", userId);
  if (ip) await refund("totp-ip", addressKey(ip));
}

export function wrongCodesRefusal(retryAfterMs: number): LimitExceededError {
  return new LimitExceededError(`Too many wrong codes. Try again in ${waitPhrase(retryAfterMs)}.`, retryAfterMs);
}

// ---------------------------------------------------------------------------------------------------------------
// Checking a second factor

export type CodeMethod = "totp" | "recovery";

/**
 * Checks `raw` (a TOTP or a recovery code) for `userId` inside `tx`, consuming it when right: advances the last
 * accepted step, or marks the recovery code used (audited, alert sent). Null when wrong, replayed or of neither shape.
 * Takes no rate-limit points: callers use `withCodeAttempt` (or the sign-in's own wrapper).
 */
export async function consumeSecondFactor(tx: Executor, ctx: CodeContext, userId: string, raw: string): Promise<CodeMethod | null> {
  const code = classifyCode(raw);
  if (!code) return null;
  if (code.kind === "totp") {
    const [row] = await tx.select({ secret: users.totpSecretEnc }).from(users).where(eq(users.id, userId));
    if (!row?.secret) return null;
    const step = matchingStep(openFor("totp-secret", row.secret), code.code, ctx.now);
    if (step === null) return null;
    // INVARIANT: only a step later than the last accepted one, decided and recorded in one statement.
    const [advanced] = await tx
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id });
    return advanced ? "totp" : null;
  }
  const [used] = await tx
    .update(recoveryCodes)
    .set({ usedAt: ctx.now })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, hashRecoveryCode(code.code)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  if (!used) return null;
  const left = await unusedRecoveryCodes(tx, userId);
  await recordAudit(tx, auditEntry(ctx, userId, "two_factor.recovery_code_used", userId, { left }));
  await queueSecurityAlert(tx, ctx, userId, "recovery_code_used", String(left));
  return "recovery";
}

async function unusedRecoveryCodes(tx: Executor, userId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/**
 * Runs `work` in a transaction after a right code: the limits are taken before (a refusal is a LimitExceededError
 * and checks nothing), the code is consumed in the same transaction as the change it allows (a change that fails
 * leaves the code unused), and the points are given back after the commit.
 */
async function withCodeAttempt<T>(
  ctx: CodeContext,
  userId: string,
  raw: string,
  work: (tx: Executor, method: CodeMethod) => Promise<T>,
  opts: { emails: boolean } = { emails: true },
): Promise<T> {
  const refused = await takeCodeAttempt(userId, ctx.ip);
  if (refused) throw wrongCodesRefusal(refused.retryAfterMs);
  const result = await db.transaction(async (tx) => {
    const method = await consumeSecondFactor(tx, ctx, userId, raw);
    if (!method) return { wrong: true as const };
    return { wrong: false as const, method, value: await work(tx, method) };
  });
  if (result.wrong) throw new ValidationError(WRONG_CODE, { code: [WRONG_CODE] });
  await refundCodeAttempt(userId, ctx.ip);
  if (opts.emails || result.method === "recovery") await emailsQueued();
  return result.value;
}

// ---------------------------------------------------------------------------------------------------------------
// Status, enrolment, recovery codes, disabling

export interface TwoFactorStatus {
  enabled: boolean;
  enabledAt: Date | null;
  /** Enrolment started (a secret made) but not confirmed with a code yet. */
  pending: boolean;
  recoveryCodesLeft: number;
  /** Admins must turn it on before they can use the admin area in production (a banner asks in development). */
  requiredForAdmin: boolean;
  /** Until when this session's step-up holds; null when it has none (or two-factor sign-in is off). */
  stepUpValidUntil: Date | null;
}

async function accountRow(tx: Executor, userId: string) {
  const [row] = await tx
    .select({ id: users.id, email: users.email, role: users.role, secret: users.totpSecretEnc, enabledAt: users.totpEnabledAt })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!row) throw new NotFoundError("Account not found");
  return row;
}

export async function twoFactorStatus(ctx: ActingContext): Promise<TwoFactorStatus> {
  const row = await accountRow(db, ctx.actor.id);
  const enabled = row.enabledAt !== null;
  const stepUpAt = enabled ? await sessionStepUpAt(ctx) : null;
  const validUntil = stepUpAt ? new Date(stepUpAt.getTime() + STEP_UP_TTL_MS) : null;
  return {
    enabled,
    enabledAt: row.enabledAt,
    pending: !enabled && row.secret !== null,
    recoveryCodesLeft: enabled ? await unusedRecoveryCodes(db, row.id) : 0,
    requiredForAdmin: row.role === "admin",
    stepUpValidUntil: validUntil && validUntil > ctx.now ? validUntil : null,
  };
}

/**
 * Starts (or restarts) enrolment: a new secret, sealed and stored as pending; answers it as text, as an otpauth://
 * URL and as a QR code (SVG). Refused while two-factor sign-in is on (turn it off first). Nothing changes for
 * sign-in until `confirmEnrolment`, so it is neither audited nor emailed.
 */
export async function startEnrolment(ctx: ActingContext): Promise<{ secret: string; otpauthUrl: string; qrSvg: string }> {
  await consume("two-factor-enrol", ctx.actor.id, ENROLMENTS_PER_HOUR, 60 * 60);
  const account = await accountRow(db, ctx.actor.id);
  if (account.enabledAt) throw new ConflictError("Two-factor sign-in is already on. Turn it off first to use a new device.");
  const secret = new Secret({ size: 20 }).base32;
  // Conditional: a confirmation racing this restart must not end up enabled with a secret no one was shown.
  const [stored] = await db
    .update(users)
    .set({ totpSecretEnc: sealFor("totp-secret", secret), totpLastStep: null })
    .where(and(eq(users.id, account.id), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  if (!stored) throw new ConflictError("Two-factor sign-in is already on. Turn it off first to use a new device.");
  const otpauthUrl = totpFor(secret, account.email).toString();
  const qrSvg = await QRCode.toString(otpauthUrl, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { secret, otpauthUrl, qrSvg };
}

/** Ten new recovery codes for `userId`, replacing any earlier ones; the plain codes, to show once. */
async function replaceRecoveryCodes(tx: Executor, userId: string): Promise<string[]> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => recoveryCodeFrom((n) => randomBytes(n)));
  await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code) })));
  return codes;
}

/** Marks the acting session as having passed a second factor just now (sign-in strength and step-up). */
async function markSessionVerified(tx: Executor, ctx: ActingContext): Promise<boolean> {
  if (!ctx.sessionId) return false;
  const [row] = await tx
    .update(userSessions)
    .set({ twoFactorAt: ctx.now, stepUpAt: ctx.now })
    .where(and(eq(userSessions.id, ctx.sessionId), eq(userSessions.userId, ctx.actor.id), isNull(userSessions.revokedAt)))
    .returning({ id: userSessions.id });
  return Boolean(row);
}

/**
 * Confirms a pending enrolment with the first code from the app: turns two-factor sign-in on (that code's step is
 * the last accepted one), makes ten recovery codes and answers them (the only time they are shown).
 */
export async function confirmEnrolment(ctx: ActingContext, rawCode: string): Promise<{ recoveryCodes: string[] }> {
  const userId = ctx.actor.id;
  const code = normaliseTotp(rawCode);
  if (!code) throw new ValidationError("Enter the 6-digit code from your authenticator app", { code: ["Enter the 6-digit code from your authenticator app"] });
  const account = await accountRow(db, userId);
  if (account.enabledAt) throw new ConflictError("Two-factor sign-in is already on.");
  if (!account.secret) throw new ConflictError("Start setting up two-factor sign-in first.");
  return withCodeAttempt(ctx, userId, code, async (tx, method) => {
    if (method !== "totp") throw new ValidationError(WRONG_CODE, { code: [WRONG_CODE] });
    // INVARIANT: enabled only with the secret whose code was just checked (a restart in between changes the secret).
    const [enabled] = await tx
      .update(users)
      .set({ totpEnabledAt: ctx.now })
      .where(and(eq(users.id, userId), isNull(users.totpEnabledAt), eq(users.totpSecretEnc, account.secret!)))
      .returning({ id: users.id });
    if (!enabled) throw new ConflictError("Two-factor set-up changed meanwhile. Start again.");
    const codes = await replaceRecoveryCodes(tx, userId);
    await markSessionVerified(tx, ctx);
    await recordAudit(tx, auditEntry(ctx, userId, "two_factor.enabled", userId));
    await queueSecurityAlert(tx, ctx, userId, "two_factor_enabled");
    return { recoveryCodes: codes };
  });
}

/** Requires two-factor sign-in to be on for the acting account. */
async function requireEnabled(userId: string) {
  const account = await accountRow(db, userId);
  if (!account.enabledAt) throw new ConflictError("Two-factor sign-in is off.");
  return account;
}

/**
 * Turns two-factor sign-in off. The code given with the request is itself a fresh second factor (a step-up at
 * the moment of the change), so no earlier step-up is asked for.
 */
export async function disableTwoFactor(ctx: ActingContext, rawCode: string): Promise<void> {
  const userId = ctx.actor.id;
  await requireEnabled(userId);
  await withCodeAttempt(ctx, userId, rawCode, async (tx) => {
    await clearTwoFactor(tx, userId);
    await recordAudit(tx, auditEntry(ctx, userId, "two_factor.disabled", userId));
    await queueSecurityAlert(tx, ctx, userId, "two_factor_disabled");
  });
}

/** New recovery codes (the earlier ones stop working), after a code as for disabling. */
export async function regenerateRecoveryCodes(ctx: ActingContext, rawCode: string): Promise<{ recoveryCodes: string[] }> {
  const userId = ctx.actor.id;
  await requireEnabled(userId);
  return withCodeAttempt(ctx, userId, rawCode, async (tx) => {
    const codes = await replaceRecoveryCodes(tx, userId);
    await recordAudit(tx, auditEntry(ctx, userId, "two_factor.recovery_codes_regenerated", userId));
    await queueSecurityAlert(tx, ctx, userId, "recovery_codes_regenerated");
    return { recoveryCodes: codes };
  });
}

async function clearTwoFactor(tx: Executor, userId: string) {
  await tx.update(users).set({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null }).where(eq(users.id, userId));
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
}

// ---------------------------------------------------------------------------------------------------------------
// Step-up

async function sessionStepUpAt(ctx: ServiceContext & { actor: { id: string } }): Promise<Date | null> {
  if (!ctx.sessionId) return null;
  const [row] = await db
    .select({ stepUpAt: userSessions.stepUpAt })
    .from(userSessions)
    .where(and(eq(userSessions.id, ctx.sessionId), eq(userSessions.userId, ctx.actor.id), isNull(userSessions.revokedAt)));
  return row?.stepUpAt ?? null;
}

/**
 * Re-enters a code for this session: sensitive changes are allowed for 10 minutes. Only for accounts with
 * two-factor sign-in on (the others are not asked), and only for a session the server knows.
 */
export async function stepUp(ctx: ActingContext, rawCode: string): Promise<{ validUntil: Date }> {
  const userId = ctx.actor.id;
  await requireEnabled(userId);
  if (!ctx.sessionId) throw new ForbiddenError("This session cannot be confirmed. Sign out and sign in again.");
  return withCodeAttempt(ctx, userId, rawCode, async (tx, method) => {
    if (!(await markSessionVerified(tx, ctx))) throw new ForbiddenError("This session cannot be confirmed. Sign out and sign in again.");
    await recordAudit(tx, auditEntry(ctx, userId, "two_factor.step_up", userId, { method, sessionId: ctx.sessionId }));
    return { validUntil: new Date(ctx.now.getTime() + STEP_UP_TTL_MS) };
  }, { emails: false });
}

/**
 * Throws StepUpRequiredError unless the acting session stepped up in the last 10 minutes; a no-op for accounts
 * without two-factor sign-in. Call it first in a service that changes something sensitive.
 */
export async function requireStepUp(ctx: ServiceContext): Promise<void> {
  if (!ctx.actor) throw new StepUpRequiredError();
  const [row] = await db.select({ enabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, ctx.actor.id));
  if (!row?.enabledAt) return;
  const at = await sessionStepUpAt({ ...ctx, actor: ctx.actor });
  // INVARIANT: the step-up is this session's and no older than the TTL at the request's clock.
  if (!at || at.getTime() + STEP_UP_TTL_MS <= ctx.now.getTime()) throw new StepUpRequiredError();
}

// ---------------------------------------------------------------------------------------------------------------
// Sign-in

/** Whether the account asks for a second factor at sign-in. */
export async function twoFactorEnabled(userId: string): Promise<boolean> {
  const [row] = await db.select({ enabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  return Boolean(row?.enabledAt);
}

// ---------------------------------------------------------------------------------------------------------------
// Recovery by an admin or the operator

async function resetFor(ctx: ServiceContext, target: { id: string }, by: "admin" | "operator"): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ secret: users.totpSecretEnc, enabledAt: users.totpEnabledAt })
      .from(users)
      .where(and(eq(users.id, target.id), isNull(users.deletedAt)));
    if (!row) throw new NotFoundError("Account not found");
    if (!row.secret && !row.enabledAt) throw new ConflictError("Two-factor sign-in is already off for this account.");
    await clearTwoFactor(tx, target.id);
    await recordAudit(tx, auditEntry(ctx, ctx.actor?.id ?? null, "two_factor.reset", target.id, { by, wasEnabled: row.enabledAt !== null }));
    await queueSecurityAlert(tx, ctx, target.id, "two_factor_reset", by === "admin" ? "A Tradsy administrator" : "Tradsy operations");
  });
  await emailsQueued();
}

/** An admin turns off another account's two-factor sign-in (a lost device). Never one's own: ask another admin. */
export async function adminResetTwoFactor(ctx: ActingContext, userId: string): Promise<void> {
  if (ctx.actor.role !== "admin") throw new ForbiddenError("Admins only");
  if (userId === ctx.actor.id) throw new ForbiddenError("You cannot reset your own two-factor sign-in. Ask another admin.");
  await resetFor(ctx, { id: userId }, "admin");
}

/** The operator command (`npm run admin:reset-2fa -- <email>`): for the last admin who lost their device. */
export async function operatorResetTwoFactor(ctx: ServiceContext, email: string): Promise<{ userId: string }> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email.trim().toLowerCase()));
  if (!row) throw new NotFoundError(`No account with the email ${email}`);
  await resetFor({ ...ctx, actor: null }, row, "operator");
  return { userId: row.id };
}

// ---------------------------------------------------------------------------------------------------------------
// The admin area's rule (issue 17), one copy for its pages (auth/guards.ts), adminProcedure, the audit CSV and the
// billing test clock.

export const ADMIN_NEEDS_TWO_FACTOR = "Turn on two-factor sign-in to use the admin area";

export type AdminAreaAccess = "yes" | "not_admin" | "needs_two_factor";

/** An admin may use the admin area; in production only with two-factor sign-in on (a banner asks in development). */
export function adminAreaAccess(user: { role: string; twoFactorEnabled?: boolean }): AdminAreaAccess {
  if (user.role !== "admin") return "not_admin";
  if (env.NODE_ENV === "production" && !user.twoFactorEnabled) return "needs_two_factor";
  return "yes";
}

/**
 * `adminAreaAccess` for callers that hold no resolved session (a service given only the actor, a route that reads
 * the account itself): role, two-factor state and deletion read fresh from the account.
 */
export async function mayUseAdminArea(userId: string): Promise<AdminAreaAccess> {
  const [u] = await db.select({ role: users.role, totpEnabledAt: users.totpEnabledAt, deletedAt: users.deletedAt }).from(users).where(eq(users.id, userId));
  if (!u || u.deletedAt) return "not_admin";
  return adminAreaAccess({ role: u.role, twoFactorEnabled: u.totpEnabledAt !== null });
}
