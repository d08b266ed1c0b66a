/**
 * Domain errors thrown by services. One adapter (src/server/api/errors.ts) turns them into tRPC errors and the
 * REST helpers turn them into HTTP answers; anything else is an internal error whose detail only reaches the log.
 */
import "server-only";

export type FieldErrors = Record<string, string[]>;

export abstract class DomainError extends Error {
  abstract readonly kind: "not_found" | "conflict" | "forbidden" | "unauthorized" | "invalid" | "limit" | "risk";
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
}
export class RiskRejectedError extends DomainError {
  readonly kind = "risk" as const;
}
/** Bad input that passed the schema but not the rules; `fieldErrors` lets forms show the message by the field. */
export class ValidationError extends DomainError {
  readonly kind = "invalid" as const;
  constructor(
    message: string,
    readonly fieldErrors: FieldErrors = {},
  ) {
    super(message);
  }
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
