"use server";
/**
 * The "Get the weekly digest" form's action: a plain form post, so it works before JavaScript loads, and needs no
 * tRPC client on the page. Same checks as the `digests.subscribe` procedure (the one text rule, the shared zod
 * schema, the service's rate limits); the answer never says whether the address was already subscribed.
 */
import { refusalOf } from "@/server/errors";
import { actionServiceContext } from "@/server/http/service-context";
import { requestWeeklyDigest } from "@/server/services/digests";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { isForm, UNREADABLE_FORM } from "@/lib/validation/forms";
import { unsafeTextRefusal } from "@/lib/validation/text";
import { weeklyDigestRequestSchema } from "@/lib/validation/digest";

export interface WeeklyDigestFormState {
  ok?: boolean;
  email?: string;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
}

export async function weeklyDigestAction(_prev: WeeklyDigestFormState, form: FormData): Promise<WeeklyDigestFormState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const email = String(form.get("email") ?? "");
  const unsafe = unsafeTextRefusal(Object.fromEntries(form));
  if (unsafe) return { message: unsafe.message, fieldErrors: unsafe.fieldErrors, email };
  const slug = form.get("providerSlug");
  const parsed = weeklyDigestRequestSchema.safeParse({ email: form.get("email"), providerSlug: typeof slug === "string" && slug ? slug : undefined });
  if (!parsed.success) return { fieldErrors: fieldErrorsFromZod(parsed.error), email };
  const ctx = await actionServiceContext();
  try {
    await requestWeeklyDigest(ctx, parsed.data);
  } catch (err) {
    const refused = refusalOf(err);
    if (refused) return { message: refused.message, ...(refused.fieldErrors ? { fieldErrors: refused.fieldErrors } : {}), email };
    ctx.log.error({ err }, "weekly digest request failed");
    return { message: "We could not take your request just now. Please try again.", email };
  }
  return { ok: true, email: parsed.data.email };
}
