/**
 * Limits on password sign-in (Auth.js's Credentials `authorize`), and how a refusal reaches the person:
 * - per client address: failed sign-ins across all accounts, which is what blocks password spraying. Callers
 *   without a trusted address (no proxy configured, see client-ip.ts) share one bucket, larger so that ordinary
 *   typos across the whole site do not exhaust it. A successful sign-in gives its point back.
 * - per account: a progressive delay, not a block. Five failures are free; each further one makes the next
 *   attempt wait 1 s, 2 s, 4 s … up to 15 minutes. A success through it clears the count.
 * - per known browser (one that has signed in to the account before, see known-device.ts): its attempts on that
 *   account skip the account's delay and run under a delay of their own, so strangers' failures, however many,
 *   never make the owner's own browser wait. A trusted address's limit still applies to it; the shared bucket of
 *   callers without one does not (one attacker can use that up), so a known browser signs in during such an attack.
 * A refusal throws `SignInThrottled` and checks no password; it still costs the address its point. The sign-in
 * form shows its message; the REST callback (POST /api/auth/callback/credentials) answers 429 with Retry-After
 * through `answerSignInRequest`, where Auth.js alone would redirect to the form as for a wrong password. A
 * successful sign-in sets the known-browser cookie: `answerSignInRequest` on the callback's response, the form's
 * action through `rememberingDevice`.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { CredentialsSignin } from "next-auth";
import { emailSchema } from "@/lib/validation/auth";
import { addressKey, clientIp } from "@/server/http/client-ip";
import { presentedDevice, recogniseDevice, rememberDevice, type DeviceCookie } from "./known-device";
import { forgive, refund, retryAfterSeconds, take, takeWithBackoff, waitPhrase, type Backoff } from "@/server/rate-limit";
import { eq } from "drizzle-orm";
import { db } from "@/server/db";
import { users } from "@/server/db/schema";
import { appBaseUrl } from "@/server/http/base-url";
import { serviceContext, userAgentFrom, type ServiceContext } from "@/server/services/context";
import { recordAudit } from "@/server/services/audit";
import { verifyCredentials } from "@/server/services/auth";
import { consumeSecondFactor, refundCodeAttempt, takeCodeAttempt, type CodeMethod } from "@/server/services/auth/two-factor";
import { emailsQueued } from "@/server/services/email/delivery";

/** Failed sign-ins one address may make across accounts. */
export const FAILURES_PER_ADDRESS = { points: 20, seconds: 15 * 60 } as const;
/** The same for everyone without a trusted address together: one bucket, so it must not be a single address's size. */
export const FAILURES_WITHOUT_ADDRESS = { points: 50, seconds: 15 * 60 } as const;
/** Failed sign-ins on one account, from anywhere but its known browsers. */
export const ACCOUNT_DELAY: Backoff = { free: 5, baseSec: 1, capSec: 15 * 60, forgetAfterSec: 24 * 60 * 60 };
/** Failed sign-ins on one account from one of its known browsers (the owner's typos, or a stolen cookie). */
export const DEVICE_DELAY: Backoff = ACCOUNT_DELAY;

/** A sign-in refused by a limit, before any password was checked. */
export class SignInThrottled extends CredentialsSignin {
  override code = "throttled";
  constructor(
    /** For the person: what happened and how long to wait. */
    readonly userMessage: string,
    readonly retryAfterSec: number,
  ) {
    super(userMessage);
  }
}

/** What one sign-in request learns inside Auth.js that its answer needs: a refusal, a known-browser cookie to set. */
interface SignInOutcome {
  refusal?: SignInThrottled;
  device?: DeviceCookie;
  /** The account signed in, once its password was right. */
  userId?: string;
  /** Whether the browser presented a valid known-browser token for that account (a new device when false). */
  knownDevice?: boolean;
}

const outcomes = new AsyncLocalStorage<SignInOutcome>();

function refuse(err: SignInThrottled): never {
  const box = outcomes.getStore();
  if (box) box.refusal = err;
  throw err;
}

export interface SignInAttempt {
  /**
   * The password was right and a second factor follows: its failure counted in advance on the account's (or this
   * known browser's) delay is forgiven, as a success would. With two-factor sign-in every code attempt sends the
   * password again, so otherwise the delay would refuse the owner after 3 or 4 mistyped codes, before the code
   * limit (totp-account / totp-ip, 5 in 15 minutes) that is meant to stop code guessing; someone without the
   * password gains nothing from this. The address's point is not touched (see passwordRight and succeeded).
   */
  forgiveDelay(): Promise<void>;
  /**
   * The password was right but the sign-in waits for the second factor: the address gets its point back (a 2FA
   * sign-in takes two requests and must not cost an office behind one address twice); the browser is not
   * remembered yet (the delay is forgiven by forgiveDelay).
   */
  passwordRight(): Promise<void>;
  /**
   * The password was right: the attempt counts against neither the address nor its delay, and the browser becomes
   * known for the account (`sessionVersion`: the one read with the password hash, when the caller has it).
   */
  succeeded(user: { id: string; sessionVersion?: number }): Promise<void>;
}

/** The account an attempt is on, as sign-in looks it up (trimmed, lower case); anything else as typed. */
function accountKey(email: string): string {
  const parsed = emailSchema.safeParse(email);
  return parsed.success ? parsed.data : email.trim().toLowerCase();
}

/** Counts a sign-in attempt as a failure in advance; throws SignInThrottled when a limit refuses it. */
export async function beginSignIn(email: string, ip: string | null, request: Request): Promise<SignInAttempt> {
  const account = accountKey(email);
  const device = presentedDevice(request);
  const known = await recogniseDevice(device, account);
  const address = addressKey(ip);
  const budget = ip ? FAILURES_PER_ADDRESS : FAILURES_WITHOUT_ADDRESS;
  // Without a trusted address every caller shares one bucket, which one attacker can use up for the whole site; a
  // known browser stays out of it (its own delay below still holds it), so its owner can sign in meanwhile.
  const chargesAddress = ip !== null || !known;
  const refusedAddress = chargesAddress ? await take("sign-in-ip", address, budget.points, budget.seconds) : null;
  if (refusedAddress) {
    const from = ip ? " from your network" : "";
    const ms = refusedAddress.retryAfterMs;
    refuse(new SignInThrottled(`Too many sign-in attempts${from}. Try again in ${waitPhrase(ms)}.`, retryAfterSeconds(ms)));
  }
  // INVARIANT: a known browser's failures go to its own budget, never the account's, and a stranger's never to a
  // known browser's: neither can make the other wait.
  const refusedDelay = known
    ? await takeWithBackoff("sign-in-device", known.budgetKey, DEVICE_DELAY)
    : await takeWithBackoff("sign-in-account", account, ACCOUNT_DELAY);
  if (refusedDelay) {
    // The address's point stays taken although no password was checked: a refusal must cost the caller, or
    // probing the delay (and learning from Retry-After when to fire the next guess) would be free.
    const ms = refusedDelay.retryAfterMs;
    const what = known ? "Too many failed sign-ins from this browser" : "Too many attempts on this account";
    refuse(new SignInThrottled(`${what}. Try again in ${waitPhrase(ms)}.`, retryAfterSeconds(ms)));
  }
  const forgiveDelay = async () => {
    // A success on a known browser clears only that browser's count: the strangers' count on the account stands,
    // or the owner signing in would hand an attacker five free guesses each time.
    if (known) await forgive("sign-in-device", known.budgetKey);
    else await forgive("sign-in-account", account);
  };
  return {
    forgiveDelay,
    passwordRight: async () => {
      if (chargesAddress) await refund("sign-in-ip", address);
    },
    succeeded: async (user) => {
      await forgiveDelay();
      if (chargesAddress) await refund("sign-in-ip", address);
      const box = outcomes.getStore();
      if (box) {
        box.userId = user.id;
        box.knownDevice = known !== null;
        box.device = await rememberDevice(user, device, known);
      }
    },
  };
}

/**
 * Whether the sign-in running now (inside `answerSignInRequest` or `rememberingDevice`) came from a browser known to
 * the account: the `jwt` callback's new-device check. Undefined when no password sign-in succeeded in this request
 * (OAuth, or a caller outside those two wrappers): not known either way.
 */
export function signInFromKnownDevice(): boolean | undefined {
  return outcomes.getStore()?.knownDevice;
}

/**
 * Runs an Auth.js request handler (POST /api/auth/…). When a sign-in limit refused the attempt, answers 429 with
 * Retry-After and the message instead of Auth.js's redirect to the form; when a sign-in succeeded, adds the
 * known-browser cookie to Auth.js's answer.
 */
export async function answerSignInRequest(handler: () => Promise<Response>): Promise<Response> {
  const box: SignInOutcome = {};
  const res = await outcomes.run(box, handler);
  if (box.refusal) {
    // Keep the sign-in page address Auth.js chose (…?error=CredentialsSignin&code=throttled): next-auth/react's
    // signIn() reads `url` from the body to report the error.
    const url = res.headers.get("location") ?? ((await res.json().catch(() => null)) as { url?: string } | null)?.url;
    return Response.json(
      { message: box.refusal.userMessage, url },
      { status: 429, headers: { "Retry-After": String(box.refusal.retryAfterSec), "Cache-Control": "no-store" } },
    );
  }
  if (!box.device) return res;
  const headers = new Headers(res.headers);
  headers.append("Set-Cookie", serializeCookie(box.device));
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

/**
 * Runs a sign-in started by a server action (Auth.js's `signIn()`), and on success hands the known-browser cookie to
 * `setCookie` (the action's `cookies().set`). Next's redirect, thrown on success, passes through. Returns what the
 * sign-in returned and the account it signed in (none when it failed without throwing).
 */
export async function rememberingDevice<T>(signIn: () => Promise<T>, setCookie: (cookie: DeviceCookie) => Promise<void>): Promise<{ result: T; userId?: string }> {
  const box: SignInOutcome = {};
  try {
    const result = await outcomes.run(box, signIn);
    return { result, userId: box.userId };
  } finally {
    if (box.device) await setCookie(box.device);
  }
}

/** Set-Cookie for our own cookie, whose value is base64url with `.` and `~` and needs no encoding. */
function serializeCookie({ name, value, options: o }: DeviceCookie): string {
  return [`${name}=${value}`, `Path=${o.path}`, `Max-Age=${o.maxAge}`, "HttpOnly", "SameSite=Lax", ...(o.secure ? ["Secure"] : [])].join("; ");
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 17: the Credentials provider's `authorize`, with the second factor.

/** Password right, two-factor sign-in on, no code sent: the form asks for the code (and sends the password again). */
export class TwoFactorRequired extends CredentialsSignin {
  override code = "two_factor_required";
}
/** Password right, but the code was wrong, replayed, or a recovery code already used. */
export class TwoFactorInvalid extends CredentialsSignin {
  override code = "two_factor_invalid";
}

const field = (v: unknown): string => (typeof v === "string" ? v : "");

/** A refused or failed sign-in, for the audit log: the account when the email names one (the typed email is not kept). */
async function auditSignInFailure(ctx: ServiceContext, email: string, reason: "password" | "two_factor" | "throttled", userId?: string): Promise<void> {
  let target = userId ?? null;
  if (!target) {
    const parsed = emailSchema.safeParse(email);
    if (parsed.success) target = (await db.select({ id: users.id }).from(users).where(eq(users.email, parsed.data)))[0]?.id ?? null;
  }
  await recordAudit(db, { actorId: null, action: "user.sign_in_failed", ...(target ? { targetType: "user", targetId: target } : {}), data: { reason }, ip: ctx.ip, userAgent: ctx.userAgent });
}

/**
 * Auth.js Credentials `authorize`: the limits above, the password, then for an account with two-factor sign-in a
 * code (`code`: a 6-digit TOTP or a recovery code). No code → TwoFactorRequired; a wrong one → TwoFactorInvalid;
 * after 5 wrong codes in 15 minutes on the account (or 20 from an address) every attempt is refused with
 * SignInThrottled (429 and Retry-After on the REST callback) whatever the code. Returns `twoFactor: true` when a code
 * was checked, for the session row. Audited: user.signed_in, user.sign_in_failed (password | two_factor | throttled).
 */
export async function authorizeCredentials(credentials: Partial<Record<string, unknown>>, request: Request) {
  const email = field(credentials.email);
  const password = field(credentials.password);
  const code = field(credentials.code).trim();
  const ip = clientIp(request.headers);
  const ctx = serviceContext({ ip, userAgent: userAgentFrom(request.headers), baseUrl: appBaseUrl(request.headers) });
  let attempt: SignInAttempt;
  try {
    // Failed sign-ins per address and a progressive delay per account; a refusal is a 429 and checks no password.
    attempt = await beginSignIn(email, ip, request);
  } catch (err) {
    if (err instanceof SignInThrottled) await auditSignInFailure(ctx, email, "throttled");
    throw err;
  }
  const user = await verifyCredentials(email, password);
  if (!user) {
    await auditSignInFailure(ctx, email, "password");
    return null;
  }
  let method: CodeMethod | null = null;
  if (user.twoFactorEnabled) {
    // The password step is done; from here the code's own limit (below) is what counts.
    await attempt.forgiveDelay();
    if (!code) {
      await attempt.passwordRight();
      throw new TwoFactorRequired();
    }
    // Taken before the check and given back only for a right code: the 6th attempt after 5 wrong ones is refused
    // whatever it carries, so guessing stops at 5 per 15 minutes.
    const refused = await takeCodeAttempt(user.id, ip);
    if (refused) {
      await auditSignInFailure(ctx, email, "throttled", user.id);
      const ms = refused.retryAfterMs;
      refuse(new SignInThrottled(`Too many wrong codes. Try again in ${waitPhrase(ms)}.`, retryAfterSeconds(ms)));
    }
    method = await db.transaction((tx) => consumeSecondFactor(tx, ctx, user.id, code));
    if (!method) {
      await auditSignInFailure(ctx, email, "two_factor", user.id);
      throw new TwoFactorInvalid();
    }
    await refundCodeAttempt(user.id, ip);
    if (method === "recovery") await emailsQueued();
  }
  await attempt.succeeded(user);
  await recordAudit(db, {
    actorId: user.id,
    action: "user.signed_in",
    targetType: "user",
    targetId: user.id,
    data: method ? { twoFactor: method } : {},
    ip,
    userAgent: ctx.userAgent,
  });
  return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion, ...(method ? { twoFactor: true } : {}) };
}
