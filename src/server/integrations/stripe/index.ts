/**
 * The payments adapter, chosen in one place: Stripe (stripe-node) when `STRIPE_SECRET_KEY` is set, else the
 * embedded stand-in whose dev pages complete Connect onboarding and Checkout by posting signed Stripe events.
 */
import "server-only";
import Stripe from "stripe";
import { env } from "@/env";
import { StripeApiGateway } from "./api";
import { EmbeddedStripeGateway, type EmbeddedStripeError } from "./embedded";
import type { PaymentsGateway } from "./types";

export type { CheckoutRequest, GatewayMode, InvoiceCharge, PaymentsGateway } from "./types";
export { StripeApiGateway, chargeOfInvoice } from "./api";
export { EmbeddedStripeGateway, EmbeddedStripeError } from "./embedded";

const g = globalThis as unknown as { __tradsyPayments?: PaymentsGateway };

export function createStripeClient(secretKey: string, options: Stripe.StripeConfig = {}): Stripe {
  return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 20_000, appInfo: { name: "Tradsy" }, ...options });
}

export function getPaymentsGateway(): PaymentsGateway {
  g.__tradsyPayments ??= env.STRIPE_SECRET_KEY ? new StripeApiGateway(createStripeClient(env.STRIPE_SECRET_KEY)) : new EmbeddedStripeGateway();
  return g.__tradsyPayments;
}

/** Tests swap the adapter (a StripeApiGateway on a local fake, or a fresh embedded one). */
export function setPaymentsGateway(gateway: PaymentsGateway | undefined): void {
  g.__tradsyPayments = gateway;
}

/** The embedded stand-in when it is the adapter in use; null with real Stripe (the dev pages then 404). */
export function embeddedStripe(): EmbeddedStripeGateway | null {
  const gw = getPaymentsGateway();
  // By mode, not `instanceof`: the gateway on globalThis is made by whichever bundle asks first (instrumentation
  // seeds through it at start-up), and each Next.js bundle has its own copy of the class, so `instanceof` is false
  // in the app's pages and the dev pages would 404.
  return gw.mode === "embedded" ? (gw as EmbeddedStripeGateway) : null;
}

/** `instanceof EmbeddedStripeError` across bundles, for the same reason: the error may come from another copy of the class. */
export function isEmbeddedStripeError(err: unknown): err is EmbeddedStripeError {
  return err instanceof Error && err.name === "EmbeddedStripeError";
}

/** Absolute for Stripe (it redirects browsers back to us), a path for the embedded pages (same origin). */
export function returnUrl(path: string): string {
  return getPaymentsGateway().mode === "stripe" ? new URL(path, env.APP_URL).toString() : path;
}
