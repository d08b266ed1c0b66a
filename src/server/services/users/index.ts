/**
 * The user's own profile and preferences, and the admin's view of all users. The user is always the actor
 * (`ctx.actor`, from the session); the admin lists are plain reads.
 */
import "server-only";
import { containsPattern } from "@/server/db/like";
import { and, count, desc, eq, gte, ilike, lt, or, type SQL } from "drizzle-orm";
import { db } from "@/server/db";
import { auditLog, emailOutbox, providers, users, type UserRole, personalProviderOf } from "@/server/db/schema";
import { ConflictError, NotFoundError, ValidationError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import type { ActingContext } from "@/server/services/context";
import type { AuditFilters } from "@/lib/audit-filters";
import { createProviderProfile, toOwnProvider } from "@/server/services/providers";

/**
 * The signed-in user's own account for their pages. Secret-derived columns (the password hash, the provider's
 * webhook token hash and sealed passphrase) are read only to answer "is it set?".
 */
export async function getMe(ctx: ActingContext) {
  const user = await db.query.users.findFirst({
    where: eq(users.id, ctx.actor.id),
    columns: { id: true, email: true, name: true, role: true, emailVerified: true, createdAt: true, disclaimerAcceptedAt: true, passwordHash: true },
  });
  if (!user) throw new NotFoundError("Account not found");
  // Not the `provider` relation: a user may also own automated providers (strategies running live), and it would
  // pick any one of them.
  const provider = await db.query.providers.findFirst({ where: personalProviderOf(user.id) });
  const { passwordHash, ...account } = user;
  return { ...account, hasPassword: Boolean(passwordHash), provider: provider ? toOwnProvider(provider) : null };
}

export async function updateName(ctx: ActingContext, name: string) {
  const userId = ctx.actor.id;
  await db.transaction(async (tx) => {
    await tx.update(users).set({ name }).where(eq(users.id, userId));
    await recordAudit(tx, { actorId: userId, action: "user.profile_updated", targetType: "user", targetId: userId, ip: ctx.ip, userAgent: ctx.userAgent });
  });
}

// Email notification choices: services/email/preferences.ts.

// ---- admin ----

export async function adminListUsers(input: { q?: string; role?: UserRole; page: number; pageSize: number }) {
  const conds: SQL[] = [];
  if (input.q) {
    const like = containsPattern(input.q);
    conds.push(or(ilike(users.email, like), ilike(users.name, like))!);
  }
  if (input.role) conds.push(eq(users.role, input.role));
  const where = conds.length ? and(...conds) : undefined;
  const [items, [total]] = await Promise.all([
    db
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: users.role,
        emailVerified: users.emailVerified,
        createdAt: users.createdAt,
        providerSlug: providers.slug,
        // The admin users page offers "Reset two-factor" only where it is on (issue 17).
        twoFactorEnabledAt: users.totpEnabledAt,
      })
      .from(users)
      .leftJoin(providers, and(eq(providers.userId, users.id), eq(providers.automated, false)))
      .where(where)
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(users).where(where),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}

/** An admin (adminProcedure) gives another user a role; the change is audited with the admin and their address. */
export async function adminSetRole(ctx: ActingContext, userId: string, role: UserRole) {
  const actorId = ctx.actor.id;
  if (actorId === userId) throw new ValidationError("You cannot change your own role; ask another admin.");
  await db.transaction(async (tx) => {
    const user = await tx.query.users.findFirst({ where: eq(users.id, userId) });
    if (!user) throw new NotFoundError("No user with that id");
    if (user.role === role) throw new ConflictError(`This user is already a ${role}`);
    await tx.update(users).set({ role }).where(eq(users.id, userId));
    if (role === "provider") {
      const existing = await tx.query.providers.findFirst({ where: personalProviderOf(userId) });
      if (!existing) await createProviderProfile(tx, { userId, displayName: user.name ?? user.email.split("@")[0]! });
    }
    await recordAudit(tx, {
      actorId,
      action: "admin.role_changed",
      targetType: "user",
      targetId: userId,
      data: { from: user.role, to: role },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
  });
}

export async function adminOverview() {
  const [byRole, [emails], [audits]] = await Promise.all([
    db.select({ role: users.role, n: count() }).from(users).groupBy(users.role),
    db.select({ n: count() }).from(emailOutbox),
    db.select({ n: count() }).from(auditLog),
  ]);
  const roles = Object.fromEntries(byRole.map((r) => [r.role, r.n])) as Partial<Record<UserRole, number>>;
  return {
    subscribers: roles.subscriber ?? 0,
    providers: roles.provider ?? 0,
    admins: roles.admin ?? 0,
    emails: emails?.n ?? 0,
    auditRows: audits?.n ?? 0,
  };
}

export async function adminListAudit(input: { page: number; pageSize: number } & AuditFilters) {
  const where = and(
    input.actor ? eq(users.email, input.actor) : undefined,
    input.action ? eq(auditLog.action, input.action) : undefined,
    input.from ? gte(auditLog.createdAt, input.from) : undefined,
    input.to ? lt(auditLog.createdAt, input.to) : undefined,
  );
  const [items, [total]] = await Promise.all([
    db
      .select({
        id: auditLog.id,
        action: auditLog.action,
        actorEmail: users.email,
        targetType: auditLog.targetType,
        targetId: auditLog.targetId,
        data: auditLog.data,
        ip: auditLog.ip,
        userAgent: auditLog.userAgent,
        createdAt: auditLog.createdAt,
      })
      .from(auditLog)
      .leftJoin(users, eq(users.id, auditLog.actorId))
      .where(where)
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(auditLog).leftJoin(users, eq(users.id, auditLog.actorId)).where(where),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}
