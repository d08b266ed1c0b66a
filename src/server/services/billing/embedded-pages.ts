/**
 * What the embedded Stripe stand-in's pages (/dev/stripe) and their actions may show or change for a signed-in user.
 * Each object belongs to one user: the owner is the actor (`ctx.actor`, from the session the page or action read),
 * compared with the object's own record, never taken from the URL or a form. The pages keep only their glue (404 with real
 * Stripe, the sign-in redirect).
 */
import "server-only";
import { inArray } from "drizzle-orm";
import { db } from "@/server/db";
import { providers } from "@/server/db/schema";
import { isEmbeddedStripeError, type EmbeddedStripeGateway } from "@/server/integrations/stripe";
import type { ActingContext } from "@/server/services/context";
import { getProviderByUserId } from "@/server/services/providers";
import { isSafeText } from "@/lib/validation/text";

/** An unknown id reads as "not found", like someone else's: the stand-in never says which. */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isEmbeddedStripeError(err)) return null;
    throw err;
  }
}

/** The Connect account, if it belongs to the actor's provider profile. */
export async function ownAccount(ctx: ActingContext, gateway: EmbeddedStripeGateway, accountId: string) {
  // Ids come from the URL: one the app could never have issued is unknown (and must not reach the database).
  if (!isSafeText(accountId)) return null;
  const [account, provider] = await Promise.all([orNull(gateway.retrieveAccount(accountId)), getProviderByUserId(ctx.actor.id)]);
  if (!account || !provider || account.metadata?.providerId !== provider.id) return null;
  return { account, provider };
}

/** The Checkout session, if the actor is its subscriber. */
export async function ownCheckout(ctx: ActingContext, gateway: EmbeddedStripeGateway, sessionId: string) {
  if (!isSafeText(sessionId)) return null;
  const details = await orNull(gateway.checkoutDetails(sessionId));
  return details && details.subscriberId === ctx.actor.id ? details : null;
}

/** The customer's portal view, if the customer is the actor. */
export async function ownPortal(ctx: ActingContext, gateway: EmbeddedStripeGateway, customerId: string) {
  if (!isSafeText(customerId)) return null;
  const view = await orNull(gateway.portalView(customerId));
  return view && view.customer.userId === ctx.actor.id ? view : null;
}

/** Display names of the providers behind the portal's subscriptions (Stripe only knows their ids). */
export async function providerNames(ids: (string | null)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (!unique.length) return new Map();
  const rows = await db.select({ id: providers.id, displayName: providers.displayName }).from(providers).where(inArray(providers.id, unique));
  return new Map(rows.map((r) => [r.id, r.displayName]));
}
