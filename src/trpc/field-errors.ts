/**
 * Reading a failed tRPC call's field errors in the browser. The server's error formatter (src/server/api/trpc.ts)
 * puts them in `error.data.fieldErrors` (zod's issues for the input, or a ValidationError's), and the error type
 * tRPC infers from `AppRouter` carries that shape, so forms read it here without casts.
 */
import type { TRPCClientErrorLike } from "@trpc/client";
import type { AppRouter } from "@/server/api/root";
import type { FieldErrors } from "@/lib/validation/field-errors";

/** A failed call of this app's router, as a mutation's `error` or `onError` hands it over. */
export type AppClientError = TRPCClientErrorLike<AppRouter>;

/** The server's messages by field for a failed call; empty when it has none (or there is no error). */
export function serverFieldErrors(error: AppClientError | null | undefined): FieldErrors {
  return error?.data?.fieldErrors ?? {};
}
