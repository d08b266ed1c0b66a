/**
 * What billing asks of Stripe. Two adapters: `StripeApiGateway` (stripe-node against Stripe, or against a local
 * fake in tests) and `EmbeddedStripeGateway` (the offline stand-in). State changes reach our tables only through the
 * signed webhook events either one produces; the methods here return what the billing service needs right away.
 */
import type Stripe from "stripe";

export type GatewayMode = "stripe" | "embedded";

export interface CheckoutRequest {
  customerId: string;
  priceId: string;
  destinationAccountId: string;
  trialDays: number;
  /** Our ids, copied onto the session and the subscription so any event can be tied back. */
  metadata: { subscriberId: string; providerId: string };
  successUrl: string;
  cancelUrl: string;
}

export interface InvoiceCharge {
  chargeId: string | null;
  /** `application_fee_amount` of the invoice's charge: the platform's cut as Stripe computed it. */
  applicationFeeCents: number;
}

export interface PaymentsGateway {
  readonly mode: GatewayMode;
  createConnectAccount(input: { providerId: string; email: string }): Promise<{ id: string }>;
  createAccountLink(input: { accountId: string; refreshUrl: string; returnUrl: string }): Promise<{ url: string }>;
  retrieveAccount(accountId: string): Promise<Stripe.Account>;
  createProduct(input: { providerId: string; name: string }): Promise<{ id: string }>;
  createPrice(input: { providerId: string; productId: string; amountCents: number }): Promise<{ id: string }>;
  createCustomer(input: { userId: string; email: string; name: string | null }): Promise<{ id: string }>;
  createCheckoutSession(input: CheckoutRequest): Promise<{ id: string; url: string; expiresAt: Date }>;
  updateSubscription(id: string, change: { cancelAtPeriodEnd?: boolean; pause?: boolean }): Promise<Stripe.Subscription>;
  cancelSubscription(id: string): Promise<Stripe.Subscription>;
  /**
   * Deletes a customer whose account was deleted (issue 17): their name, email and payment methods go; invoices and
   * charges stay at Stripe (the law), tied to the deleted customer's id. Cancel their subscriptions first.
   */
  eraseCustomer(customerId: string): Promise<void>;
  createPortalSession(input: { customerId: string; returnUrl: string }): Promise<{ url: string }>;
  /** The charge behind a paid invoice (`invoice.payments` expanded down to the charge). */
  invoiceCharge(invoiceId: string): Promise<InvoiceCharge>;
}
