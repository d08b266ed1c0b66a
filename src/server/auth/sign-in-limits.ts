/**
 * Limits on password sign-in (Auth.js's Credentials `authorize`), and how a refusal reaches the person:
 * - per client address: failed sign-ins across all accounts, which is what stops password spraying. Callers
 *   without a trusted address (no proxy configured, see client-ip.ts) share one bucket, larger so that ordinary
 *   typos across the whole site do not exhaust it. A successful sign-in gives its point back.
 * A refusal throws `SignInThrottled` and checks no password. The sign-in form shows its message; the REST
 * callback (POST /api/auth/callback/credentials) answers 429 with Retry-After through `answerThrottledSignIn`,
 * where Auth.js alone would redirect to the form as for a wrong password.
 */
import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import { CredentialsSignin } from "next-auth";
import { addressKey } from "@/server/http/client-ip";
import { refund, retryAfterSeconds, take, waitPhrase } from "@/server/rate-limit";

/** Failed sign-ins one address may make across accounts. */
export const FAILURES_PER_ADDRESS = { points: 20, seconds: 15 * 60 } as const;
/** The same for everyone without a trusted address together: one bucket, so it must not be a single address's size. */
export const FAILURES_WITHOUT_ADDRESS = { points: 50, seconds: 15 * 60 } as const;

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
  /** The password was right: the attempt does not count against the address. */
  succeeded(): Promise<void>;
}

/** Counts a sign-in attempt as a failure in advance; throws SignInThrottled when a limit refuses it. */
export async function beginSignIn(ip: string | null): Promise<SignInAttempt> {
  const address = addressKey(ip);
  const budget = ip ? FAILURES_PER_ADDRESS : FAILURES_WITHOUT_ADDRESS;
  const refused = await take("sign-in-ip", address, budget.points, budget.seconds);
  if (refused) {
    const from = ip ? " from your network" : "";
    refuse(new SignInThrottled(`Too many sign-in attempts${from}. Try again in ${waitPhrase(refused.retryAfterMs)}.`, retryAfterSeconds(refused.retryAfterMs)));
  }
  return {
    succeeded: () => refund("sign-in-ip", address),
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
  return Response.json(
    { message: box.refusal.userMessage },
    { status: 429, headers: { "Retry-After": String(box.refusal.retryAfterSec), "Cache-Control": "no-store" } },
  );
}
