/** Stripe through stripe-node. Tests point the same client at a local fake (host/port/protocol). */
import "server-only";
import Stripe from "stripe";
import { PLATFORM_FEE_PERCENT } from "@/lib/billing";
import type { CheckoutRequest, InvoiceCharge, PaymentsGateway } from "./types";

export class StripeApiGateway implements PaymentsGateway {
  readonly mode = "stripe" as const;
  constructor(private readonly stripe: Stripe) {}

  async createConnectAccount({ providerId, email }: { providerId: string; email: string }) {
    const account = await this.stripe.accounts.create(
      {
        type: "express",
        email,
        capabilities: { card_payments: { requested: true }, transfers: { requested: true } },
        metadata: { providerId },
      },
      { idempotencyKey: `connect-account:${providerId}` },
    );
    return { id: account.id };
  }

  async createAccountLink({ accountId, refreshUrl, returnUrl }: { accountId: string; refreshUrl: string; returnUrl: string }) {
    const link = await this.stripe.accountLinks.create({ account: accountId, refresh_url: refreshUrl, return_url: returnUrl, type: "account_onboarding" });
    return { url: link.url };
  }

  retrieveAccount(accountId: string) {
    return this.stripe.accounts.retrieve(accountId);
  }

  async createProduct({ providerId, name }: { providerId: string; name: string }) {
    const product = await this.stripe.products.create({ name, metadata: { providerId } }, { idempotencyKey: `product:${providerId}` });
    return { id: product.id };
  }

  async createPrice({ providerId, productId, amountCents }: { providerId: string; productId: string; amountCents: number }) {
    const price = await this.stripe.prices.create({
      product: productId,
      currency: "usd",
      unit_amount: amountCents,
      recurring: { interval: "month" },
      metadata: { providerId },
    });
    return { id: price.id };
  }

  async createCustomer({ userId, email, name }: { userId: string; email: string; name: string | null }) {
    const customer = await this.stripe.customers.create({ email, ...(name ? { name } : {}), metadata: { userId } }, { idempotencyKey: `customer:${userId}` });
    return { id: customer.id };
  }

  async createCheckoutSession(req: CheckoutRequest) {
    const session = await this.stripe.checkout.sessions.create({
      mode: "subscription",
      customer: req.customerId,
      client_reference_id: req.metadata.subscriberId,
      line_items: [{ price: req.priceId, quantity: 1 }],
      subscription_data: {
        application_fee_percent: PLATFORM_FEE_PERCENT,
        transfer_data: { destination: req.destinationAccountId },
        ...(req.trialDays > 0 ? { trial_period_days: req.trialDays } : {}),
        metadata: req.metadata,
      },
      metadata: req.metadata,
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
    });
    if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
    return { id: session.id, url: session.url, expiresAt: new Date(session.expires_at * 1000) };
  }

  updateSubscription(id: string, change: { cancelAtPeriodEnd?: boolean; pause?: boolean }) {
    const params: Stripe.SubscriptionUpdateParams = {};
    if (change.cancelAtPeriodEnd !== undefined) params.cancel_at_period_end = change.cancelAtPeriodEnd;
    if (change.pause !== undefined) params.pause_collection = change.pause ? { behavior: "void" } : "";
    return this.stripe.subscriptions.update(id, params);
  }

  cancelSubscription(id: string) {
    return this.stripe.subscriptions.cancel(id);
  }

  async eraseCustomer(customerId: string): Promise<void> {
    try {
      await this.stripe.customers.del(customerId);
    } catch (err) {
      // Already deleted (a deletion retried after a later step failed): done.
      if ((err as { code?: string }).code === "resource_missing") return;
      throw err;
    }
  }

  async createPortalSession({ customerId, returnUrl }: { customerId: string; returnUrl: string }) {
    const portal = await this.stripe.billingPortal.sessions.create({ customer: customerId, return_url: returnUrl });
    return { url: portal.url };
  }

  async invoiceCharge(invoiceId: string): Promise<InvoiceCharge> {
    const invoice = await this.stripe.invoices.retrieve(invoiceId, { expand: ["payments.data.payment.payment_intent.latest_charge"] });
    return chargeOfInvoice(invoice) ?? { chargeId: null, applicationFeeCents: 0 };
  }
}

/** The charge behind an invoice whose `payments` are expanded down to the charge; null when they are not. */
export function chargeOfInvoice(invoice: Stripe.Invoice): InvoiceCharge | null {
  for (const p of invoice.payments?.data ?? []) {
    if (p.status !== "paid") continue;
    const intent = p.payment.payment_intent;
    const charge = typeof intent === "object" && intent ? intent.latest_charge : typeof p.payment.charge === "object" ? p.payment.charge : null;
    if (charge && typeof charge === "object") return { chargeId: charge.id, applicationFeeCents: charge.application_fee_amount ?? 0 };
  }
  return null;
}
