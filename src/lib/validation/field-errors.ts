/**
 * Field errors: messages by top-level field name, the one shape every edge answers bad input with (tRPC's error
 * `data.fieldErrors`, REST and webhook `error.fieldErrors`, form action state) and every form reads. Zod issues
 * become field errors only here.
 */
import { z } from "zod";

export type FieldErrors = Record<string, string[]>;

/**
 * A zod error's issues by top-level field (zod's `flattenError`): `takeProfits.1.price` is reported under
 * `takeProfits`. Issues about the value as a whole (an empty path) are not a field's and are left out; a refusal
 * names them in its message instead.
 */
export function fieldErrorsFromZod(error: z.ZodError): FieldErrors {
  // flattenError only creates a key for a field that has an issue, so no value is undefined.
  return z.flattenError(error).fieldErrors as FieldErrors;
}

/** The first message of the first field that has one: the sentence a refusal leads with. */
export function firstFieldError(fields: Partial<FieldErrors>): string | undefined {
  for (const messages of Object.values(fields)) if (messages?.[0]) return messages[0];
  return undefined;
}
