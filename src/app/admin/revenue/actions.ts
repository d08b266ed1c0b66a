"use server";
/**
 * The admin billing test clock's form (embedded Stripe stand-in only). Who may move the clock, and by how much, is
 * the billing service's (services/billing/test-clock.ts), checked on every call; this turns its answer into form state.
 */
import { revalidatePath } from "next/cache";
import { auth } from "@/server/auth";
import { refusalOf } from "@/server/errors";
import { actionServiceContext } from "@/server/http/service-context";
import { advanceTestClock } from "@/server/services/billing/test-clock";
import { isForm, UNREADABLE_FORM } from "@/lib/validation/forms";

export interface ClockState {
  message?: string;
  done?: string;
}

export async function advanceClockAction(_prev: ClockState, form: FormData): Promise<ClockState> {
  if (!isForm(form)) return { message: UNREADABLE_FORM };
  const ctx = await actionServiceContext((await auth())?.user ?? null);
  try {
    const { days, events, now } = await advanceTestClock(ctx, form.get("days"));
    revalidatePath("/admin/revenue");
    const day = days === 1 ? "1 day" : `${days} days`;
    return { done: `Advanced ${day} to ${now.toISOString().slice(0, 16).replace("T", " ")} UTC; ${events === 1 ? "1 event" : `${events} events`} posted.` };
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal) return { message: refusal.message };
    ctx.log.error({ err }, "admin: advancing the billing test clock failed");
    return { message: "Something went wrong on our side. Please try again." };
  }
}
