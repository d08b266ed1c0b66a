"use server";
/** The admin billing test clock (embedded Stripe stand-in only). The role is checked here on every call. */
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { auth } from "@/server/auth";
import { db, getDatabase } from "@/server/db";
import { isEmbeddedStripeError } from "@/server/integrations/stripe";
import { embeddedStripe } from "@/server/services/billing";
import { logger } from "@/server/logger";
import { recordAudit } from "@/server/services/audit";
import { isForm, UNREADABLE_FORM } from "@/lib/validation/forms";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";

export interface ClockState {
  message?: string;
  done?: string;
}

const advanceSchema = z.object({ days: z.enum(["1", "7", "31"], { error: "Choose 1, 7 or 31 days" }).transform(Number) });

export async function advanceClockAction(_prev: ClockState, form: FormData): Promise<ClockState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const session = await auth();
  if (session?.user.role !== "admin") return { message: "Admins only." };
  const gateway = embeddedStripe();
  if (!gateway) return { message: "The test clock only exists in test mode (no STRIPE_SECRET_KEY)." };
  const parsed = advanceSchema.safeParse({ days: form.get("days") });
  if (!parsed.success) return { message: fieldErrorsFromZod(parsed.error).days?.[0] ?? "Choose how far to advance" };
  await getDatabase();
  try {
    const { events, now } = await gateway.advanceClock(parsed.data.days);
    await db.transaction((tx) =>
      recordAudit(tx, { actorId: session.user.id, action: "billing.test_clock_advanced", targetType: "app", targetId: "embedded_stripe_clock", data: { days: parsed.data.days, events } }),
    );
    revalidatePath("/admin/revenue");
    const day = parsed.data.days === 1 ? "1 day" : `${parsed.data.days} days`;
    return { done: `Advanced ${day} to ${now.toISOString().slice(0, 16).replace("T", " ")} UTC; ${events === 1 ? "1 event" : `${events} events`} posted.` };
  } catch (err) {
    if (isEmbeddedStripeError(err)) return { message: err.message };
    logger.error({ err }, "admin: advancing the billing test clock failed");
    return { message: "Something went wrong on our side. Please try again." };
  }
}
