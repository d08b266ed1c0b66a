/**
 * Domain errors thrown by services, and the one vocabulary every edge answers them in: `ERROR_KINDS` gives each
 * kind its HTTP status and tRPC code, and `refusalOf` what the caller is told (the message, and field errors for
 * invalid input). The tRPC adapter (src/server/api/errors.ts), the REST and webhook responders
 * (src/server/http/respond.ts, the TradingView service) and the form server actions all go through them; anything
 * that is not a DomainError is an internal error whose detail only reaches the log.
 *
 * | kind           | HTTP | tRPC code             | meaning                                                      |
 * | -------------- | ---- | --------------------- | ------------------------------------------------------------ |
 * | `invalid`      | 400  | BAD_REQUEST           | the input breaks a rule: of its shape, or of the domain      |
 * | `unauthorized` | 401  | UNAUTHORIZED          | not signed in, or a key or passphrase missing or wrong       |
 * | `forbidden`    | 403  | FORBIDDEN             | signed in, but not allowed to do this                        |
 * | `not_found`    | 404  | NOT_FOUND             | missing, or not the caller's (the two are not told apart)    |
 * | `conflict`     | 409  | CONFLICT              | the current state does not allow it (nothing to exit, taken) |
 * | `limit`        | 429  | TOO_MANY_REQUESTS     | a rate limit or quota is used up                             |
 *
 * Why invalid input is a 400 everywhere rather than 400 for a malformed request and 422 for a well-formed one that
 * breaks a rule: the services validate raw input themselves (the REST API and TradingView hand them unparsed
 * bodies), so one ValidationError carries a missing field and a stop-loss on the wrong side of the entry alike, and
 * a split would make the same mistake answer differently by which check caught it first (tRPC's input parser, the
 * service's schema, or a rule that needs the market price) — a distinction no client acts on. 400 is also what the
 * web forms (tRPC) and the REST API always answered; only the TradingView webhook said 422, and TradingView treats
 * every 4xx alike (it never resends after one). Should a rule one day refuse input that is valid in every respect (a
 * copy-trading risk limit, say), give it its own kind with 422 then.
 *
 * Statuses that are not a refusal of the request by a domain rule stay where they arise: 413 (a body over a
 * route's limit), 503 with Retry-After (an alert still being processed) and 500 (anything unexpected).
 */
import "server-only";
import type { FieldErrors } from "@/lib/validation/field-errors";

export type { FieldErrors } from "@/lib/validation/field-errors";

export const ERROR_KINDS = {
  invalid: { status: 400, trpc: "BAD_REQUEST" },
  unauthorized: { status: 401, trpc: "UNAUTHORIZED" },
  forbidden: { status: 403, trpc: "FORBIDDEN" },
  not_found: { status: 404, trpc: "NOT_FOUND" },
  conflict: { status: 409, trpc: "CONFLICT" },
  limit: { status: 429, trpc: "TOO_MANY_REQUESTS" },
} as const;

export type ErrorKind = keyof typeof ERROR_KINDS;

/** The HTTP status of a refusal of this kind, for answers built without throwing (e.g. a body that is not JSON). */
export function statusOf(kind: ErrorKind): number {
  return ERROR_KINDS[kind].status;
}

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
}

export class NotFoundError extends DomainError {
  readonly kind = "not_found" as const;
}
export class ConflictError extends DomainError {
  readonly kind = "conflict" as const;
}
export class ForbiddenError extends DomainError {
  readonly kind = "forbidden" as const;
}
export class UnauthorizedError extends DomainError {
  readonly kind = "unauthorized" as const;
}
export class LimitExceededError extends DomainError {
  readonly kind = "limit" as const;
  constructor(
    message: string,
    /** How long until a retry can succeed, when a rate limit knows it: every edge answers it as `Retry-After`. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
/**
 * A sensitive change on an account with two-factor sign-in, from a session that has not re-entered a code in the
 * last 10 minutes (src/server/services/auth/two-factor.ts). A 403 whose tRPC answer carries
 * `data.reason: "step_up_required"`, which the client's step-up dialog recognises to ask for a code and retry.
 */
export class StepUpRequiredError extends DomainError {
  readonly kind = "forbidden" as const;
  readonly reason = "step_up_required" as const;
  constructor(message = "Enter a code from your authenticator app to confirm it is you.") {
    super(message);
  }
}
/** Bad input, by its shape or by a rule; `fieldErrors` lets forms show the message by the field. */
export class ValidationError extends DomainError {
  readonly kind = "invalid" as const;
  constructor(
    message: string,
    readonly fieldErrors: FieldErrors = {},
  ) {
    super(message);
  }
}

/** What the caller of any edge is told about a refusal: its status, its message, and field errors when it has any. */
export interface Refusal {
  status: number;
  message: string;
  fieldErrors?: FieldErrors;
}

/** A DomainError as its refusal; null for anything else (an internal error: log it, answer generically). */
export function refusalOf(err: unknown): Refusal | null {
  if (!(err instanceof DomainError)) return null;
  const fieldErrors = err instanceof ValidationError && Object.keys(err.fieldErrors).length ? err.fieldErrors : undefined;
  return { status: statusOf(err.kind), message: err.message, ...(fieldErrors ? { fieldErrors } : {}) };
}

/** The JSON body of every REST and webhook refusal: `{ error: { message, fieldErrors? } }`. */
export function errorBody(message: string, fieldErrors?: FieldErrors): { error: { message: string; fieldErrors?: FieldErrors } } {
  return { error: { message, ...(fieldErrors && Object.keys(fieldErrors).length ? { fieldErrors } : {}) } };
}

/** PostgreSQL unique_violation, from postgres.js or PGlite. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const rec = e as { code?: unknown; constraint?: unknown; constraint_name?: unknown; cause?: unknown };
    if (rec.code === "23505") {
      const name = rec.constraint ?? rec.constraint_name;
      return !constraint || name === constraint;
    }
    e = rec.cause;
  }
  return false;
}

/** PostgreSQL lock_not_available: a lock wait ran past the transaction's `lock_timeout`. */
export function isLockTimeout(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const rec = e as { code?: unknown; cause?: unknown };
    if (rec.code === "55P03") return true;
    e = rec.cause;
  }
  return false;
}
