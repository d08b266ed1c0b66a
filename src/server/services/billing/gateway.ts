/**
 * The payments adapter, chosen and composed in one place: Stripe (stripe-node) when `STRIPE_SECRET_KEY` is set, else
 * the embedded stand-in whose dev pages complete Connect onboarding and Checkout by sending signed Stripe events.
 *
 * Why here: the stand-in delivers its events to our webhook endpoint, and the endpoint's follow-ups call the gateway
 * back (an invoice's charge, cancelling a duplicate). An integration imports no services and no app code (STYLE.md
 * rule 18), so the integration takes its delivery function as a constructor argument and this module, which the
 * billing services already use to reach the adapter, supplies it: each event goes to `answerStripeWebhook`, the code
 * /api/webhooks/stripe runs for real Stripe, with the stand-in as the gateway it answers to. Nothing registers
 * anything at start-up, so tests, scripts and every Next.js bundle get the same composition on first use.
 */
import "server-only";
import { env } from "@/env";
import { createStripeClient, EmbeddedStripeGateway, StripeApiGateway, type PaymentsGateway } from "@/server/integrations/stripe";
import type { ServiceContext } from "@/server/services/context";
import { answerStripeWebhook } from "./webhooks";

const g = globalThis as unknown as { __tradsyPayments?: PaymentsGateway };

/** A new embedded stand-in whose signed events are answered in process by our webhook endpoint's code. */
export function createEmbeddedGateway(): EmbeddedStripeGateway {
  const gateway: EmbeddedStripeGateway = new EmbeddedStripeGateway(async (body, signature) => {
    const answer = await answerStripeWebhook(gateway, body, signature);
    return { status: answer.status, text: JSON.stringify(answer.body) };
  });
  return gateway;
}

export function getPaymentsGateway(): PaymentsGateway {
  g.__tradsyPayments ??= env.STRIPE_SECRET_KEY ? new StripeApiGateway(createStripeClient(env.STRIPE_SECRET_KEY)) : createEmbeddedGateway();
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

/**
 * Absolute for Stripe (it redirects browsers back to us, to the request's base URL: see ServiceContext.baseUrl), a
 * path for the embedded pages (same origin).
 */
export function returnUrl(ctx: Pick<ServiceContext, "baseUrl">, path: string): string {
  return getPaymentsGateway().mode === "stripe" ? new URL(path, ctx.baseUrl).toString() : path;
}
