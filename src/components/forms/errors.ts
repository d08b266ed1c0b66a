/**
 * Glue between react-hook-form and the app's field errors (messages by field, see src/lib/validation/field-errors):
 * the fields (TextField, Checkbox…) take `errors` as a list of messages, and a refused call's field errors (read with
 * serverFieldErrors from src/trpc/field-errors) go onto the form with `setError`, so they show, focus and clear the
 * same way as the form's own checks.
 */
import type { FieldPath, FieldValues, UseFormSetError } from "react-hook-form";
import type { FieldErrors } from "@/lib/validation/field-errors";

/** A react-hook-form field error as the list of messages the fields show (undefined when there is none). */
export function messages(error: { message?: string } | undefined): string[] | undefined {
  return error?.message ? [error.message] : undefined;
}

/**
 * Puts the server's messages for `fields` onto the form (the first message of each, type "server"). Returns whether
 * any was placed: when none was, the form shows the refusal's message as a whole instead.
 */
export function setServerErrors<T extends FieldValues>(setError: UseFormSetError<T>, errors: FieldErrors, fields: readonly FieldPath<T>[]): boolean {
  let placed = false;
  for (const field of fields) {
    const message = errors[field]?.[0];
    if (!message) continue;
    setError(field, { type: "server", message });
    placed = true;
  }
  return placed;
}
