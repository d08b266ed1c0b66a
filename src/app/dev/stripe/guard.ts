/**
 * The embedded Stripe stand-in pages' glue: they exist only while the embedded gateway is the one in use (no
 * STRIPE_SECRET_KEY), and act for the signed-in user. Whether an object is that user's is decided by
 * src/server/services/billing/embedded-pages.ts.
 */
import "server-only";
import { notFound } from "next/navigation";
import { auth } from "@/server/auth";
import { getDatabase } from "@/server/db";
import type { EmbeddedStripeGateway } from "@/server/integrations/stripe";
import { embeddedStripe } from "@/server/services/billing";

/** The embedded gateway, or a 404 when real Stripe is configured. */
export async function embeddedOr404(): Promise<EmbeddedStripeGateway> {
  const gateway = embeddedStripe();
  if (!gateway) notFound();
  await getDatabase();
  return gateway;
}

/** The signed-in user, or null. Pages redirect to sign-in themselves (they know their own path). */
export async function sessionUser() {
  const session = await auth();
  return session?.user ?? null;
}
