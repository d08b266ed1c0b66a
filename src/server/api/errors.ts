/**
 * The one adapter from domain errors to tRPC errors: each kind's code comes from the vocabulary in
 * src/server/errors.ts (`ERROR_KINDS`), so tRPC answers the same HTTP status as the REST and webhook routes.
 */
import "server-only";
import { TRPCError } from "@trpc/server";
import { ERROR_KINDS, type DomainError, type ErrorKind } from "@/server/errors";

/** The tRPC code of a kind; typed so that a code tRPC does not know cannot enter the table. */
export function trpcCodeOf(kind: ErrorKind): TRPCError["code"] {
  return ERROR_KINDS[kind].trpc;
}

export function toTRPCError(err: DomainError): TRPCError {
  return new TRPCError({ code: trpcCodeOf(err.kind), message: err.message, cause: err });
}
