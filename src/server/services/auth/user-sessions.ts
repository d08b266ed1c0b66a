/**
 * Signed-in devices: one `user_sessions` row per sign-in, its id the JWT's `sid`. The Auth.js `jwt` callback creates
 * the row at sign-in (`createUserSession`) and, on every resolve, lets the session live only while its row exists and
 * is not revoked (`sessionAlive`), so signing a device out takes effect on its very next request although the JWT
 * itself stays valid until it expires. The owner lists their sessions and signs out one or all of them.
 *
 * A sign-in from a browser that held no known-browser token for the account (see auth/known-device.ts) is a new
 * device: audited and told to the owner by a security alert, except for the account's very first session.
 */
import "server-only";
import { and, count, desc, eq, gt, isNull, lt, ne } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { userSessions } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { queueSecurityAlert } from "@/server/services/alerts/security";
import { serviceContext, type ActingContext } from "@/server/services/context";
import { emailsQueued } from "@/server/services/email/delivery";
import { describeUserAgent, parseUserAgent } from "@/lib/user-agent";

/** lastSeenAt (and the address) are written at most this often per session: a resolve must stay one read. */
export const LAST_SEEN_EVERY_MS = 60_000;
/** The JWT's lifetime (auth/config.ts `session.maxAge`): a session not seen for longer has expired on its own. */
export const SESSION_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export interface NewUserSession {
  /** The JWT's `sid`. */
  id: string;
  userId: string;
  userAgent: string | null;
  ip: string | null;
  /** The sign-in passed a TOTP or recovery code. */
  twoFactor: boolean;
  /**
   * The browser presented no valid known-browser token for the account (undefined: not known either way, e.g. a
   * sign-in that did not go through the password limits). Only `true` alerts.
   */
  newDevice?: boolean;
  now?: Date;
}

/**
 * Records a new session. A new device (not the account's first session) is audited and alerted in the same
 * transaction; the alert email is woken after the commit.
 */
export async function createUserSession(s: NewUserSession): Promise<void> {
  const now = s.now ?? new Date();
  const userAgent = s.userAgent?.slice(0, 512) ?? null;
  const alerted = await db.transaction(async (tx) => {
    // Counted before the insert: the account's very first session is not "a new device", it is the only one.
    const [prior] = await tx.select({ n: count() }).from(userSessions).where(eq(userSessions.userId, s.userId));
    await tx.insert(userSessions).values({
      id: s.id,
      userId: s.userId,
      userAgent,
      ip: s.ip,
      createdAt: now,
      lastSeenAt: now,
      twoFactorAt: s.twoFactor ? now : null,
      // A sign-in that passed a code is itself a step-up for the next 10 minutes (as GitHub's sudo mode starts at
      // sign-in): asking for another code right after the one just typed adds no assurance.
      stepUpAt: s.twoFactor ? now : null,
    });
    if (s.newDevice !== true || (prior?.n ?? 0) === 0) return false;
    const device = describeUserAgent(userAgent);
    await recordAudit(tx, {
      actorId: s.userId,
      action: "user.new_device_sign_in",
      targetType: "session",
      targetId: s.id,
      data: { device },
      ip: s.ip,
      userAgent,
    });
    await queueSecurityAlert(tx, serviceContext({ ip: s.ip, now }), s.userId, "new_device_sign_in", device);
    return true;
  });
  if (alerted) await emailsQueued();
}

/** What decides whether a session row lets its session resolve (read alone, or beside the user by loadSessionUser). */
export interface SessionRowState {
  userId: string;
  revokedAt: Date | null;
  lastSeenAt: Date;
  ip: string | null;
}

/**
 * Whether session `id` of `userId` may resolve: its row exists, belongs to the user and is not revoked. One read by
 * primary key; when the row was last seen a minute or more ago, lastSeenAt (and the address, when given) are
 * brought up to date.
 */
export async function sessionAlive(id: string, userId: string, now: Date = new Date(), ip?: string | null): Promise<boolean> {
  const [row] = await db
    .select({ userId: userSessions.userId, revokedAt: userSessions.revokedAt, lastSeenAt: userSessions.lastSeenAt, ip: userSessions.ip })
    .from(userSessions)
    .where(eq(userSessions.id, id));
  return sessionRowAlive(id, userId, row ?? null, now, ip);
}

/** `sessionAlive` on a row already read (the jwt callback reads it in the same query as the user). */
export async function sessionRowAlive(id: string, userId: string, row: SessionRowState | null, now: Date, ip?: string | null): Promise<boolean> {
  // INVARIANT: a session resolves only while its own row exists, is the account's and is not revoked.
  if (!row || row.userId !== userId || row.revokedAt) return false;
  if (now.getTime() - row.lastSeenAt.getTime() >= LAST_SEEN_EVERY_MS) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: now, ...(ip && ip !== row.ip ? { ip } : {}) })
      // Not over a revocation that landed since the read, and only once when resolves race.
      .where(and(eq(userSessions.id, id), isNull(userSessions.revokedAt), lt(userSessions.lastSeenAt, new Date(now.getTime() - LAST_SEEN_EVERY_MS + 1))));
  }
  return true;
}

/**
 * "Sign out" in the browser (Auth.js's signOut event, auth/config.ts): the session's row is marked signed out. The
 * browser's cookie is cleared anyway, but the JWT itself stays valid until it expires, so a copy of the cookie taken
 * before would otherwise keep resolving for up to 30 days, and the devices list would still show the session. Only
 * the user's own row, and only once (an already revoked row keeps its time). Not audited: signing out of one's own
 * browser is the everyday end of a session, as a JWT's expiry is.
 */
export async function endSignedOutSession(id: string, userId: string, now: Date = new Date()): Promise<void> {
  await db
    .update(userSessions)
    .set({ revokedAt: now })
    .where(and(eq(userSessions.id, id), eq(userSessions.userId, userId), isNull(userSessions.revokedAt)));
}

export interface SessionListItem {
  id: string;
  /** The session the caller is using. */
  current: boolean;
  browser: string;
  os: string;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  /** The sign-in (or a later step-up) passed a two-factor code. */
  twoFactor: boolean;
}

/** The caller's live sessions (not revoked, not expired), the most recently seen first. */
export async function listSessions(ctx: ActingContext): Promise<SessionListItem[]> {
  const rows = await db
    .select()
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, ctx.actor.id),
        isNull(userSessions.revokedAt),
        gt(userSessions.lastSeenAt, new Date(ctx.now.getTime() - SESSION_MAX_AGE_MS)),
      ),
    )
    .orderBy(desc(userSessions.lastSeenAt), desc(userSessions.createdAt));
  return rows.map((r) => {
    const { browser, os } = parseUserAgent(r.userAgent);
    return {
      id: r.id,
      current: r.id === ctx.sessionId,
      browser,
      os,
      userAgent: r.userAgent,
      ip: r.ip,
      createdAt: r.createdAt,
      lastSeenAt: r.lastSeenAt,
      twoFactor: r.twoFactorAt !== null,
    };
  });
}

/**
 * Signs out one of the caller's sessions (this one included). Another account's session, an unknown id and one
 * already signed out are all NotFound: the answer must not tell which ids exist.
 */
export async function revokeSession(ctx: ActingContext, id: string): Promise<{ signedOutCurrent: boolean }> {
  await db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(userSessions)
      .set({ revokedAt: ctx.now })
      // INVARIANT: the owner comes from the session, never from input.
      .where(and(eq(userSessions.id, id), eq(userSessions.userId, ctx.actor.id), isNull(userSessions.revokedAt)))
      .returning({ id: userSessions.id, userAgent: userSessions.userAgent });
    if (!revoked) throw new NotFoundError("That session was not found. It may already be signed out.");
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "session.revoked",
      targetType: "session",
      targetId: id,
      data: { device: describeUserAgent(revoked.userAgent), current: id === ctx.sessionId },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
  });
  return { signedOutCurrent: id === ctx.sessionId };
}

/** Signs out every session of the caller, the current one included. */
export async function revokeAllSessions(ctx: ActingContext): Promise<{ revoked: number }> {
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(userSessions)
      .set({ revokedAt: ctx.now })
      .where(and(eq(userSessions.userId, ctx.actor.id), isNull(userSessions.revokedAt)))
      .returning({ id: userSessions.id });
    await recordAudit(tx, {
      actorId: ctx.actor.id,
      action: "session.revoked_all",
      targetType: "user",
      targetId: ctx.actor.id,
      data: { count: revoked.length },
      ip: ctx.ip,
      userAgent: ctx.userAgent,
    });
    return { revoked: revoked.length };
  });
}

/**
 * Marks the account's sessions signed out in the caller's transaction (a password change keeps the session that
 * made it: `except`). The session version already ends them; this keeps the devices list from showing them.
 */
export async function endSessionsOf(tx: Executor, userId: string, now: Date, except?: string | null): Promise<void> {
  await tx
    .update(userSessions)
    .set({ revokedAt: now })
    .where(and(eq(userSessions.userId, userId), isNull(userSessions.revokedAt), ...(except ? [ne(userSessions.id, except)] : [])));
}
