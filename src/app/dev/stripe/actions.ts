"use server";
/**
 * Form actions of the embedded Stripe stand-in pages. Each one checks, on every call, that the stand-in is in use,
 * who is signed in, and that the object belongs to them (through the gateway's own record, never a form field), and
 * validates its input with zod. Redirects go to same-origin paths only.
 */
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { safeRedirectPath } from "@/lib/safe-redirect";
import { unsafeTextRefusal } from "@/lib/validation/text";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import type { Logger } from "pino";
import { actionServiceContext } from "@/server/http/service-context";
import { isEmbeddedStripeError } from "@/server/integrations/stripe";
import { embeddedStripe } from "@/server/services/billing";
import { getDatabase } from "@/server/db";
import { ownAccount, ownCheckout, ownPortal } from "@/server/services/billing/embedded-pages";
import { sessionUser } from "./guard";
import { isForm, UNREADABLE_FORM } from "@/lib/validation/forms";

export interface DevFormState {
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  /** What was typed, so the form shows it again next to its error. */
  values?: Record<string, string>;
  done?: string;
}

const NOT_YOURS = "This page isn't available to your account. Sign in as the account it belongs to.";
const id = (what: string) => z.string({ error: `Missing ${what}` }).min(1, `Missing ${what}`).max(255);

async function context() {
  const gateway = embeddedStripe();
  if (!gateway) return { error: "Test mode is off: real Stripe is configured, so this page does nothing." } as const;
  await getDatabase();
  const user = await sessionUser();
  if (!user) return { error: "Your session has ended. Sign in again to continue." } as const;
  return { gateway, service: await actionServiceContext(user) } as const;
}

/** The one text rule (src/lib/validation/text.ts), as for tRPC and REST input: a NUL in an id would reach SQL. */
function unsafeText(form: FormData): DevFormState | null {
  const refusal = unsafeTextRefusal(Object.fromEntries(form));
  return refusal ? { message: refusal.message, fieldErrors: refusal.fieldErrors } : null;
}

/** Gateway refusals are our own sentences; anything else is logged and replaced by a generic one. */
function failure(err: unknown, what: string, log: Logger): DevFormState {
  if (isEmbeddedStripeError(err)) return { message: err.message };
  log.error({ err }, `embedded stripe page: ${what} failed`);
  return { message: "Something went wrong on our side. Please try again." };
}

// ---- Connect onboarding ------------------------------------------------------------------------------------------

const onboardingSchema = z.object({
  accountId: id("account"),
  businessName: z.string().trim().min(2, "Enter the name your subscribers will see on their card statement").max(100, "Keep the business name under 100 characters"),
  returnUrl: z.string().max(2048).optional(),
});

export async function completeOnboardingAction(_prev: DevFormState, form: FormData): Promise<DevFormState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const ctx = await context();
  if ("error" in ctx) return { message: ctx.error };
  const unsafe = unsafeText(form);
  if (unsafe) return unsafe;
  const values = { businessName: String(form.get("businessName") ?? "") };
  const parsed = onboardingSchema.safeParse({ accountId: form.get("accountId"), businessName: form.get("businessName"), returnUrl: form.get("returnUrl") ?? undefined });
  if (!parsed.success) return { fieldErrors: fieldErrorsFromZod(parsed.error), values };
  const own = await ownAccount(ctx.service, ctx.gateway, parsed.data.accountId);
  if (!own) return { message: NOT_YOURS };
  try {
    await ctx.gateway.completeOnboarding(parsed.data.accountId, { businessName: parsed.data.businessName });
  } catch (err) {
    return { ...failure(err, "onboarding", ctx.service.log), values };
  }
  redirect(safeRedirectPath(parsed.data.returnUrl, "/revenue?onboarding=return"));
}

// ---- Checkout ----------------------------------------------------------------------------------------------------

const paySchema = z.object({
  sessionId: id("checkout session"),
  card: z.enum(["succeeds", "declines"], { error: "Choose a test card" }),
});

export async function payCheckoutAction(_prev: DevFormState, form: FormData): Promise<DevFormState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const ctx = await context();
  if ("error" in ctx) return { message: ctx.error };
  const unsafe = unsafeText(form);
  if (unsafe) return unsafe;
  const parsed = paySchema.safeParse({ sessionId: form.get("sessionId"), card: form.get("card") });
  if (!parsed.success) return { fieldErrors: fieldErrorsFromZod(parsed.error) };
  const session = await ownCheckout(ctx.service, ctx.gateway, parsed.data.sessionId);
  if (!session) return { message: NOT_YOURS };
  let result: Awaited<ReturnType<typeof ctx.gateway.completeCheckout>>;
  try {
    result = await ctx.gateway.completeCheckout(parsed.data.sessionId, parsed.data.card);
  } catch (err) {
    return failure(err, "checkout", ctx.service.log);
  }
  if (!result.ok) return { message: result.message };
  redirect(safeRedirectPath(result.successUrl, "/subscriptions"));
}

// ---- Billing portal ----------------------------------------------------------------------------------------------

const portalSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("cancel"), customerId: id("customer"), subscriptionId: id("subscription") }),
  z.object({ intent: z.literal("keep"), customerId: id("customer"), subscriptionId: id("subscription") }),
  z.object({ intent: z.literal("unpause"), customerId: id("customer"), subscriptionId: id("subscription") }),
  z.object({ intent: z.literal("pay"), customerId: id("customer"), invoiceId: id("invoice"), returnUrl: z.string().max(2048).optional() }),
  z.object({ intent: z.literal("fail-next"), customerId: id("customer"), fails: z.enum(["on", "off"]) }),
]);

export async function portalAction(_prev: DevFormState, form: FormData): Promise<DevFormState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const ctx = await context();
  if ("error" in ctx) return { message: ctx.error };
  const unsafe = unsafeText(form);
  if (unsafe) return unsafe;
  const parsed = portalSchema.safeParse(Object.fromEntries(form.entries()));
  if (!parsed.success) return { message: "That request wasn't understood. Reload the page and try again." };
  const input = parsed.data;
  const view = await ownPortal(ctx.service, ctx.gateway, input.customerId);
  if (!view) return { message: NOT_YOURS };
  let done: string;
  try {
    switch (input.intent) {
      case "cancel":
      case "keep":
      case "unpause": {
        // INVARIANT: only a subscription of this customer (checked above against the session) can be changed.
        if (!view.subscriptions.some((s) => s.id === input.subscriptionId)) return { message: NOT_YOURS };
        const change = input.intent === "cancel" ? { cancelAtPeriodEnd: true } : input.intent === "keep" ? { cancelAtPeriodEnd: false } : { pause: false };
        await ctx.gateway.updateSubscription(input.subscriptionId, change);
        done =
          input.intent === "cancel"
            ? "Your subscription will end at the close of the current period."
            : input.intent === "keep"
              ? "Your subscription will renew as usual."
              : "Payments resumed.";
        break;
      }
      case "pay": {
        if (!view.invoices.some((i) => i.id === input.invoiceId && i.status === "open")) return { message: "That invoice isn't open any more." };
        await ctx.gateway.payOpenInvoice(input.invoiceId);
        done = "paid";
        break;
      }
      case "fail-next":
        await ctx.gateway.setNextPaymentFails(input.customerId, input.fails === "on");
        done = input.fails === "on" ? "Your next renewal will be declined." : "Your next renewal will go through.";
        break;
    }
  } catch (err) {
    return failure(err, `portal ${input.intent}`, ctx.service.log);
  }
  const page = `/dev/stripe/portal/${encodeURIComponent(input.customerId)}`;
  // The paid invoice's button disappears with the re-render, so its confirmation travels in the URL instead.
  if (input.intent === "pay") redirect(`${page}?${new URLSearchParams({ return_url: safeRedirectPath(input.returnUrl, "/subscriptions"), notice: "paid" })}`);
  revalidatePath(page);
  return { done };
}
