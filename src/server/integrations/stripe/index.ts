/**
 * Stripe's two adapters behind one `PaymentsGateway` interface: `StripeApiGateway` (stripe-node) and the embedded
 * stand-in `EmbeddedStripeGateway`, whose dev pages complete Connect onboarding and Checkout by sending signed
 * Stripe events. Which one is in use is chosen, and the stand-in's event delivery composed, in one place outside the
 * integration: src/server/services/billing/gateway.ts.
 */
import "server-only";
import Stripe from "stripe";
import type { EmbeddedStripeError } from "./embedded";

export type { CheckoutRequest, GatewayMode, InvoiceCharge, PaymentsGateway } from "./types";
export { StripeApiGateway, chargeOfInvoice } from "./api";
export { EmbeddedStripeGateway, EmbeddedStripeError, type EventDelivery } from "./embedded";

export function createStripeClient(secretKey: string, options: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: "Tradsy" }, ...options });
}

/** `instanceof EmbeddedStripeError` across bundles: each Next.js bundle has its own copy of the class, so the error may come from another copy. */
export function isEmbeddedStripeError(err: unknown): err is EmbeddedStripeError {
  return err instanceof Error && err.name === "EmbeddedStripeError";
}
