/**
 * The embedded stand-in's billing test clock (no STRIPE_SECRET_KEY), like Stripe's test clocks: admins move billing
 * time forward for everyone, so renewals, failed payments and period-end cancellations can be played through. Every
 * move is audited.
 */
import "server-only";
import { z } from "zod";
import { db, getDatabase } from "@/server/db";
import { ConflictError, ForbiddenError, ValidationError } from "@/server/errors";
import { isEmbeddedStripeError } from "@/server/integrations/stripe";
import { recordAudit } from "@/server/services/audit";
import { ADMIN_NEEDS_TWO_FACTOR, mayUseAdminArea } from "@/server/services/auth/two-factor";
import type { ServiceContext } from "@/server/services/context";
import { fieldErrorsFromZod } from "@/lib/validation/field-errors";
import { embeddedStripe } from "./gateway";

const advanceSchema = z.object({ days: z.enum(["1", "7", "31"], { error: "Choose 1, 7 or 31 days" }).transform(Number) });

/** Billing time now and how many whole days it runs ahead of the wall clock; null with real Stripe (no test clock). */
export async function testClock(): Promise<{ now: Date; aheadDays: number } | null> {
  const gateway = embeddedStripe();
  if (!gateway) return null;
  await getDatabase();
  const now = await gateway.now();
  return { now: new Date(now), aheadDays: Math.round((now - Date.now()) / 86_400_000) };
}

/**
 * Moves billing time forward by `days` (1, 7 or 31, as the form offers them) and posts the events that time brings.
 * Checked in this order, each refusal a domain error: an admin acting who may use the admin area now (ForbiddenError,
 * whoever else calls, signed in or not; in production also an admin without two-factor sign-in, as on every admin
 * page and procedure: the role and 2FA are read fresh, not from the session), the stand-in in use (ConflictError with real Stripe), the step (ValidationError). The stand-in's own
 * refusals are ConflictErrors with its message.
 */
export async function advanceTestClock(ctx: ServiceContext, days: unknown): Promise<{ days: number; events: number; now: Date }> {
  const actor = ctx.actor;
  if (actor?.role !== "admin") throw new ForbiddenError("Admins only.");
  await getDatabase();
  const may = await mayUseAdminArea(actor.id);
  if (may === "not_admin") throw new ForbiddenError("Admins only.");
  if (may === "needs_two_factor") throw new ForbiddenError(ADMIN_NEEDS_TWO_FACTOR);
  const gateway = embeddedStripe();
  if (!gateway) throw new ConflictError("The test clock only exists in test mode (no STRIPE_SECRET_KEY).");
  const parsed = advanceSchema.safeParse({ days });
  if (!parsed.success) {
    const fields = fieldErrorsFromZod(parsed.error);
    throw new ValidationError(fields.days?.[0] ?? "Choose how far to advance", fields);
  }
  await getDatabase();
  try {
    const { events, now } = await gateway.advanceClock(parsed.data.days);
    await db.transaction((tx) =>
      recordAudit(tx, { actorId: actor.id, action: "billing.test_clock_advanced", targetType: "app", targetId: "embedded_stripe_clock", data: { days: parsed.data.days, events } }),
    );
    return { days: parsed.data.days, events, now };
  } catch (err) {
    if (isEmbeddedStripeError(err)) throw new ConflictError(err.message);
    throw err;
  }
}
