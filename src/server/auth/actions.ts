"use server";
/**
 * Form entry points for sign-in and sign-up (server actions: they work before JavaScript loads). Validation and
 * writes live in the auth service; these only translate results into form state.
 */
import { env } from "@/env";
import { AuthError } from "next-auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { signIn } from "./index";
import { loadSessionUser, signUp } from "@/server/services/auth";
import { refusalOf } from "@/server/errors";
import { consume } from "@/server/rate-limit";
import { addressKey } from "@/server/http/client-ip";
import { actionServiceContext } from "@/server/http/service-context";
import { signInSchema } from "@/lib/validation/auth";
import { unsafeTextRefusal } from "@/lib/validation/text";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { rememberingDevice, SignInThrottled, TwoFactorInvalid, TwoFactorRequired } from "./sign-in-limits";
import { classifyCode } from "@/lib/totp/codes";
import type { DeviceCookie } from "./known-device";
import { isForm, UNREADABLE_FORM } from "@/lib/validation/forms";
import { AFTER_SIGN_IN, homePathFor } from "@/lib/home";
import { safeRedirectPath } from "@/lib/safe-redirect";

export interface FormState {
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  values?: Record<string, string>;
  /** Sign-in only: the password was right and the account asks for its second factor (the form's code step). */
  step?: "code";
}

/** The sign-in form's words for the second factor (issue 17). */
const WRONG_CODE_MESSAGE = "That code is not right. Check your authenticator app (or the recovery code) and try again.";
const CODE_SHAPE_MESSAGE = "Enter the 6-digit code from your authenticator app, or a recovery code like abcde-fghjk.";

/**
 * Auth.js's sign-in, remembering the browser for the account when it succeeds (see known-device.ts), then on to the
 * page that asked (a callbackUrl on this site; never another origin) or else the account's home: the admin overview
 * for an admin, the dashboard for everyone else. The role is known only once the password has been checked, so
 * Auth.js signs in without redirecting and the redirect is made here, in the same response.
 */
async function signInRemembered(fields: { email: unknown; password: unknown; code?: string }, callbackUrl: FormDataEntryValue | null): Promise<never> {
  const setCookie = async ({ name, value, options }: DeviceCookie) => void (await cookies()).set(name, value, options);
  const asked = safeRedirectPath(callbackUrl, "");
  const { userId } = await rememberingDevice(() => signIn("credentials", { ...fields, redirectTo: asked || AFTER_SIGN_IN, redirect: false }), setCookie);
  const account = !asked && userId ? await loadSessionUser(userId) : null;
  // Without an account here (not expected: a refusal throws) the sign-in page sends whoever is signed in home.
  redirect(asked || (account ? homePathFor(account.role) : AFTER_SIGN_IN));
}

export async function signInAction(_prev: FormState, form: FormData): Promise<FormState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const values = { email: String(form.get("email") ?? "") };
  const unsafe = unsafeTextRefusal(Object.fromEntries(form)); // the one text rule, as for tRPC and REST input
  if (unsafe) return { message: unsafe.message, fieldErrors: unsafe.fieldErrors, values };
  const parsed = signInSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return { fieldErrors: fieldErrorsFromZod(parsed.error), values };
  // The code step sends the email and password again with the code (the form keeps them; the server keeps nothing
  // between the two requests). A code of neither shape is answered here, without spending one of the 5 tries.
  const code = String(form.get("code") ?? "").trim();
  if (code && !classifyCode(code)) return { step: "code", fieldErrors: { code: [CODE_SHAPE_MESSAGE] }, values };
  try {
    await signInRemembered({ ...parsed.data, ...(code ? { code } : {}) }, form.get("callbackUrl"));
  } catch (err) {
    if (err instanceof SignInThrottled) return { message: err.userMessage, values, ...(code ? { step: "code" as const } : {}) };
    if (err instanceof TwoFactorRequired) return { step: "code", values };
    if (err instanceof TwoFactorInvalid) return { step: "code", message: WRONG_CODE_MESSAGE, values };
    if (err instanceof AuthError) return { message: "That email and password do not match an account.", values };
    throw err; // includes Next's redirect on success
  }
  return {};
}

export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const values = {
    name: String(form.get("name") ?? ""),
    email: String(form.get("email") ?? ""),
    role: String(form.get("role") ?? ""),
  };
  const unsafe = unsafeTextRefusal(Object.fromEntries(form)); // the one text rule, as for tRPC and REST input
  if (unsafe) return { message: unsafe.message, fieldErrors: unsafe.fieldErrors, values };
  const input = {
    name: form.get("name"),
    email: form.get("email"),
    password: form.get("password"),
    role: form.get("role"),
    acceptDisclaimer: form.get("acceptDisclaimer") === "on",
    acceptTerms: form.get("acceptTerms") === "on",
  };
  // A visitor: no one acts yet; the address is the rate limit's key and goes in the audit row.
  const ctx = await actionServiceContext();
  try {
    await consume("sign-up", addressKey(ctx.ip), env.SIGN_UP_LIMIT_PER_HOUR, 60 * 60);
    await signUp(ctx, input as never);
  } catch (err) {
    // A refusal (bad input, the sign-up limit) is told as every edge tells it: its message, by field where it has one.
    const refused = refusalOf(err);
    if (refused) return { message: refused.message, ...(refused.fieldErrors ? { fieldErrors: refused.fieldErrors } : {}), values };
    ctx.log.error({ err }, "sign-up failed");
    return { message: "We could not create your account just now. Please try again.", values };
  }
  try {
    await signInRemembered({ email: input.email, password: input.password }, form.get("callbackUrl"));
  } catch (err) {
    // The account exists; only signing in was refused (this network used up its failed sign-ins).
    if (err instanceof SignInThrottled) return { message: `Your account is ready. ${err.userMessage}` };
    throw err; // includes Next's redirect on success
  }
  return {};
}
