/** The one adapter from domain errors to tRPC errors. */
import "server-only";
import { TRPCError } from "@trpc/server";
import { DomainError, ValidationError } from "@/server/errors";

const CODES = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  forbidden: "FORBIDDEN",
  unauthorized: "UNAUTHORIZED",
  invalid: "BAD_REQUEST",
  limit: "TOO_MANY_REQUESTS",
  risk: "UNPROCESSABLE_CONTENT",
} as const satisfies Record<DomainError["kind"], TRPCError["code"]>;

export function toTRPCError(err: DomainError): TRPCError {
  return new TRPCError({ code: CODES[err.kind], message: err.message, cause: err });
}

export function fieldErrorsOf(cause: unknown): Record<string, string[]> | undefined {
  return cause instanceof ValidationError && Object.keys(cause.fieldErrors).length ? cause.fieldErrors : undefined;
}
