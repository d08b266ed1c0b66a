/**
 * Limits on password sign-in (Auth.js's Credentials `authorize`), and how a refusal reaches the person:
 * - per client address: failed sign-ins across all accounts, which is what blocks password spraying. Callers
 *   without a trusted address (no proxy configured, see client-ip.ts) share one bucket, larger so that ordinary
 *   typos across the whole site do not exhaust it. A successful sign-in gives its point back.
 * - per account: a progressive delay, not a block. Five failures are free; each further one makes the next
 *   attempt wait 1 s, 2 s, 4 s … up to 15 minutes, after which the right password works again. Strangers can make
 *   the owner wait, at most 15 minutes at a time, but cannot lock them out; a success clears the count.
 * A refusal throws `SignInThrottled` and checks no password; it still costs the address its point. The sign-in form shows its message; the REST
 * callback (POST /api/auth/callback/credentials) answers 429 with Retry-After through `answerThrottledSignIn`,
 * where Auth.js alone would redirect to the form as for a wrong password.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { CredentialsSignin } from "next-auth";
import { emailSchema } from "@/lib/validation/auth";
import { addressKey } from "@/server/http/client-ip";
import { forgive, refund, retryAfterSeconds, take, takeWithBackoff, waitPhrase, type Backoff } from "@/server/rate-limit";

/** Failed sign-ins one address may make across accounts. */
export const FAILURES_PER_ADDRESS = { points: 20, seconds: 15 * 60 } as const;
/** The same for everyone without a trusted address together: one bucket, so it must not be a single address's size. */
export const FAILURES_WITHOUT_ADDRESS = { points: 50, seconds: 15 * 60 } as const;
/** Failed sign-ins on one account, from anywhere. */
export const ACCOUNT_DELAY: Backoff = { free: 5, baseSec: 1, capSec: 15 * 60, forgetAfterSec: 24 * 60 * 60 };

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

const refusals = new AsyncLocalStorage<{ refusal?: SignInThrottled }>();

function refuse(err: SignInThrottled): never {
  const box = refusals.getStore();
  if (box) box.refusal = err;
  throw err;
}

export interface SignInAttempt {
  /** The password was right: the attempt counts against neither the address nor the account. */
  succeeded(): Promise<void>;
}

/** The account an attempt is on, as sign-in looks it up (trimmed, lower case); anything else as typed. */
function accountKey(email: string): string {
  const parsed = emailSchema.safeParse(email);
  return parsed.success ? parsed.data : email.trim().toLowerCase();
}

/** Counts a sign-in attempt as a failure in advance; throws SignInThrottled when a limit refuses it. */
export async function beginSignIn(email: string, ip: string | null): Promise<SignInAttempt> {
  const address = addressKey(ip);
  const budget = ip ? FAILURES_PER_ADDRESS : FAILURES_WITHOUT_ADDRESS;
  const refusedAddress = await take("sign-in-ip", address, budget.points, budget.seconds);
  if (refusedAddress) {
    const from = ip ? " from your network" : "";
    const ms = refusedAddress.retryAfterMs;
    refuse(new SignInThrottled(`Too many sign-in attempts${from}. Try again in ${waitPhrase(ms)}.`, retryAfterSeconds(ms)));
  }
  const account = accountKey(email);
  const refusedAccount = await takeWithBackoff("sign-in-account", account, ACCOUNT_DELAY);
  if (refusedAccount) {
    // The address's point stays taken although no password was checked: a refusal must cost the caller, or
    // probing the delay (and learning from Retry-After when to fire the next guess) would be free.
    const ms = refusedAccount.retryAfterMs;
    refuse(new SignInThrottled(`Too many attempts on this account. Try again in ${waitPhrase(ms)}.`, retryAfterSeconds(ms)));
  }
  return {
    succeeded: async () => {
      await forgive("sign-in-account", account);
      await refund("sign-in-ip", address);
    },
  };
}

/**
 * Runs an Auth.js request handler; when a sign-in limit refused the attempt, answers 429 with Retry-After and the
 * message instead of Auth.js's redirect to the form.
 */
export async function answerThrottledSignIn(handler: () => Promise<Response>): Promise<Response> {
  const box: { refusal?: SignInThrottled } = {};
  const res = await refusals.run(box, handler);
  if (!box.refusal) return res;
  // Keep the sign-in page address Auth.js chose (…?error=CredentialsSignin&code=throttled): next-auth/react's
  // signIn() reads `url` from the body to report the error.
  const url = res.headers.get("location") ?? ((await res.json().catch(() => null)) as { url?: string } | null)?.url;
  return Response.json(
    { message: box.refusal.userMessage, url },
    { status: 429, headers: { "Retry-After": String(box.refusal.retryAfterSec), "Cache-Control": "no-store" } },
  );
}
