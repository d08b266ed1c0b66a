/**
 * Stripe for the billing tests.
 * - `FakeStripe`: a local HTTP server stripe-node talks to (`StripeApiGateway` pointed at it with host/port/protocol).
 *   It records every request (method, path, query, the form body decoded into Stripe's bracket keys, headers) and
 *   answers with Stripe-shaped JSON, so a test can assert the exact requests we make.
 * - Builders for the Stripe objects and events our webhook handler reads. When Stripe's own fixtures are at hand
 *   (shared/data/stripe, see its README) every object starts as a copy of the fixture and the test sets the fields
 *   the handler depends on; without them the objects carry just those fields.
 * - Signing (`Stripe.webhooks.generateTestHeaderString` with our webhook secret) and delivery through the route.
 * - `EventTap`: a delivery for the embedded stand-in that records its signed events (and passes them to the route,
 *   or holds them so a test can replay them in any order, any number of times).
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { asc, count, eq } from "drizzle-orm";
import Stripe from "stripe";
import * as stripeRoute from "@/app/api/webhooks/stripe/route";
import { db } from "@/server/db";
import { auditLog, checkoutSessions, embeddedStripeObjects, freePaperCopies, payments, providerPrices, providers, stripeEvents, subscriptions, users } from "@/server/db/schema";
import { createStripeClient, EmbeddedStripeGateway, StripeApiGateway, type EventDelivery } from "@/server/integrations/stripe";
import { getPaymentsGateway, setPaymentsGateway } from "@/server/services/billing/gateway";
import { getStripeWebhookSecret } from "@/server/secrets";
import { newProvider } from "./signals";

type Obj = Record<string, unknown>;
const clone = <T>(v: T): T => structuredClone(v);
export const unix = (d: Date | number): number => Math.floor((typeof d === "number" ? d : d.getTime()) / 1000);

// ---- Stripe's fixtures ---------------------------------------------------------------------------------------------

// MARKET_DATA_DIR, like the other tests over shared/data (set it to an empty folder to run as where it is absent).
const sharedData = process.env.MARKET_DATA_DIR ?? path.resolve(import.meta.dirname, "../../../shared/data");
const composedFile = path.join(sharedData, "stripe", "stripe_events_composed.json");
/** shared/data/stripe when it holds the composed events; undefined where the shared folder is absent. */
export const STRIPE_FIXTURES_DIR = fs.existsSync(composedFile) ? path.dirname(composedFile) : undefined;
export const STRIPE_FIXTURES_MISSING = `no Stripe fixtures at ${composedFile} (set MARKET_DATA_DIR to the shared data folder)`;

let composed: Map<string, Stripe.Event> | undefined;
/** The six composed events of shared/data/stripe by type; empty without the fixtures. */
export function composedEvents(): Map<string, Stripe.Event> {
  if (!composed) {
    composed = new Map();
    if (STRIPE_FIXTURES_DIR) {
      const list = JSON.parse(fs.readFileSync(path.join(STRIPE_FIXTURES_DIR, "stripe_events_composed.json"), "utf8")) as Stripe.Event[];
      for (const e of list) composed.set(e.type, e);
    }
  }
  return composed;
}

/** A fixture object of shared/data/stripe (`stripe_subscription.json` → "subscription"), or null without them. */
export function fixtureObject(name: "account" | "checkout_session" | "customer" | "invoice" | "price" | "subscription" | "event_envelope_plan_created"): Obj | null {
  if (!STRIPE_FIXTURES_DIR) return null;
  return JSON.parse(fs.readFileSync(path.join(STRIPE_FIXTURES_DIR, `stripe_${name}.json`), "utf8")) as Obj;
}

/** The data.object of the composed event of this type, as a fresh copy; {} without the fixtures. */
function base(type: string): Obj {
  const e = composedEvents().get(type);
  return e ? (clone(e.data.object) as unknown as Obj) : {};
}

// ---- object builders -----------------------------------------------------------------------------------------------

export interface SubscriptionSpec {
  id: string;
  customer: string;
  status: Stripe.Subscription.Status;
  subscriberId: string;
  providerId: string;
  priceId: string;
  unitAmount: number;
  /** Unix seconds. */
  periodStart: number;
  periodEnd: number;
  cancelAtPeriodEnd?: boolean;
  paused?: boolean;
  canceledAt?: number | null;
  endedAt?: number | null;
  destination?: string;
  trialEnd?: number | null;
}

/** A subscription as the `customer.subscription.*` events carry it (period bounds on the items, current API). */
export function subscriptionObject(s: SubscriptionSpec): Stripe.Subscription {
  const obj = base("customer.subscription.updated");
  const items = (obj.items as { data?: Obj[] } | undefined) ?? {};
  const item = clone(items.data?.[0] ?? {});
  const price = (item.price as Obj | undefined) ?? {};
  Object.assign(obj, {
    id: s.id,
    object: "subscription",
    status: s.status,
    customer: s.customer,
    currency: "usd",
    metadata: { subscriberId: s.subscriberId, providerId: s.providerId },
    application_fee_percent: 30,
    transfer_data: { amount_percent: null, destination: s.destination ?? "acct_fake_destination" },
    cancel_at_period_end: s.cancelAtPeriodEnd ?? false,
    cancel_at: s.cancelAtPeriodEnd ? s.periodEnd : null,
    canceled_at: s.canceledAt ?? null,
    ended_at: s.endedAt ?? null,
    pause_collection: s.paused ? { behavior: "void", resumes_at: null } : null,
    trial_end: s.trialEnd ?? null,
    trial_start: s.trialEnd ? s.periodStart : null,
    start_date: s.periodStart,
    created: s.periodStart,
    billing_cycle_anchor: s.periodEnd,
    latest_invoice: null,
    items: {
      ...items,
      object: "list",
      has_more: false,
      url: `/v1/subscription_items?subscription=${s.id}`,
      data: [
        {
          ...item,
          id: `si_${s.id}`,
          object: "subscription_item",
          subscription: s.id,
          quantity: 1,
          current_period_start: s.periodStart,
          current_period_end: s.periodEnd,
          price: { ...price, id: s.priceId, object: "price", currency: "usd", unit_amount: s.unitAmount, unit_amount_decimal: String(s.unitAmount), type: "recurring", recurring: { interval: "month", interval_count: 1, meter: null, trial_period_days: null, usage_type: "licensed" } },
        },
      ],
    },
  });
  return obj as unknown as Stripe.Subscription;
}

export interface InvoiceSpec {
  id: string;
  subscriptionId: string | null;
  customer: string;
  amount: number;
  paid: boolean;
  periodStart: number;
  periodEnd: number;
  paidAt?: number;
  /** The subscription's metadata as Stripe copies it onto `parent.subscription_details`. */
  metadata?: { subscriberId: string; providerId: string };
}

/** An invoice as `invoice.paid` / `invoice.payment_failed` carry it: its subscription at `parent.subscription_details`. */
export function invoiceObject(s: InvoiceSpec): Stripe.Invoice {
  const obj = base("invoice.paid");
  const lines = (obj.lines as { data?: Obj[] } | undefined) ?? {};
  const line = clone(lines.data?.[0] ?? {});
  // The current API has no top-level `subscription` on invoices (the fixture still lists it): read from parent only.
  delete obj.subscription;
  Object.assign(obj, {
    id: s.id,
    object: "invoice",
    status: s.paid ? "paid" : "open",
    currency: "usd",
    customer: s.customer,
    amount_due: s.amount,
    amount_paid: s.paid ? s.amount : 0,
    amount_remaining: s.paid ? 0 : s.amount,
    subtotal: s.amount,
    total: s.amount,
    attempted: true,
    attempt_count: 1,
    billing_reason: "subscription_cycle",
    period_start: s.periodStart,
    period_end: s.periodEnd,
    parent: s.subscriptionId
      ? { type: "subscription_details", quote_details: null, subscription_details: { metadata: s.metadata ?? null, subscription: s.subscriptionId } }
      : null,
    status_transitions: { finalized_at: s.periodStart, marked_uncollectible_at: null, paid_at: s.paid ? (s.paidAt ?? s.periodStart) : null, voided_at: null },
    lines: {
      ...lines,
      object: "list",
      has_more: false,
      url: `/v1/invoices/${s.id}/lines`,
      data: [
        {
          ...line,
          id: `il_${s.id}`,
          object: "line_item",
          invoice: s.id,
          amount: s.amount,
          currency: "usd",
          period: { start: s.periodStart, end: s.periodEnd },
          parent: s.subscriptionId
            ? { type: "subscription_item_details", invoice_item_details: null, subscription_item_details: { invoice_item: null, proration: false, proration_details: null, subscription: s.subscriptionId, subscription_item: `si_${s.subscriptionId}` } }
            : null,
        },
      ],
    },
  });
  return obj as unknown as Stripe.Invoice;
}

export function checkoutSessionObject(s: {
  id: string;
  customer: string;
  subscription: string;
  subscriberId: string;
  providerId: string;
  paymentStatus?: Stripe.Checkout.Session.PaymentStatus;
  amount?: number;
}): Stripe.Checkout.Session {
  const obj = base("checkout.session.completed");
  Object.assign(obj, {
    id: s.id,
    object: "checkout.session",
    mode: "subscription",
    status: "complete",
    payment_status: s.paymentStatus ?? "paid",
    customer: s.customer,
    subscription: s.subscription,
    client_reference_id: s.subscriberId,
    metadata: { subscriberId: s.subscriberId, providerId: s.providerId },
    currency: "usd",
    amount_subtotal: s.amount ?? 500,
    amount_total: s.amount ?? 500,
  });
  return obj as unknown as Stripe.Checkout.Session;
}

export function accountObject(s: { id: string; chargesEnabled: boolean; payoutsEnabled: boolean; detailsSubmitted: boolean; providerId?: string }): Stripe.Account {
  const obj = base("account.updated");
  Object.assign(obj, {
    id: s.id,
    object: "account",
    type: "express",
    charges_enabled: s.chargesEnabled,
    payouts_enabled: s.payoutsEnabled,
    details_submitted: s.detailsSubmitted,
    metadata: s.providerId ? { providerId: s.providerId } : {},
  });
  return obj as unknown as Stripe.Account;
}

/** shared/data/stripe has no charge fixture: the fields `charge.refunded` handling reads, as Stripe documents them. */
export function chargeObject(s: { id: string; amount: number; amountRefunded: number; applicationFeeAmount: number; customer?: string; created?: number }): Stripe.Charge {
  return {
    id: s.id,
    object: "charge",
    created: s.created ?? Math.floor(Date.now() / 1000),
    amount: s.amount,
    amount_captured: s.amount,
    amount_refunded: s.amountRefunded,
    refunded: s.amountRefunded === s.amount,
    application_fee_amount: s.applicationFeeAmount,
    captured: true,
    currency: "usd",
    customer: s.customer ?? null,
    livemode: false,
    metadata: {},
    paid: true,
    status: "succeeded",
  } as unknown as Stripe.Charge;
}

let eventSeq = 0;
/** An event envelope (the fixture's when present) around `object`. `created` orders snapshots; default now. */
export function stripeEvent<T>(type: string, object: T, opts: { id?: string; created?: number; previous?: Obj } = {}): Stripe.Event {
  const envelope = (composedEvents().get(type) ?? composedEvents().values().next().value) as Obj | undefined;
  const e: Obj = envelope ? clone(envelope) : {};
  Object.assign(e, {
    id: opts.id ?? `evt_test_${Date.now().toString(36)}_${++eventSeq}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: opts.created ?? unix(Date.now()),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: opts.previous ? { object, previous_attributes: opts.previous } : { object },
  });
  return e as unknown as Stripe.Event;
}

// ---- signing and delivery ------------------------------------------------------------------------------------------

export function sign(payload: string, opts: { secret?: string; timestamp?: number } = {}): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? getStripeWebhookSecret(), ...(opts.timestamp ? { timestamp: opts.timestamp } : {}) });
}

export interface WebhookAnswer {
  status: number;
  body: { received?: boolean; result?: "processed" | "duplicate" | "ignored"; error?: string };
}

/** POSTs a raw body to /api/webhooks/stripe as Stripe does. `signature: null` sends no Stripe-Signature header. */
export async function postStripeWebhook(body: string, signature: string | null): Promise<WebhookAnswer> {
  const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8", "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)" };
  if (signature !== null) headers["stripe-signature"] = signature;
  const res = await stripeRoute.POST(new Request("http://localhost:3000/api/webhooks/stripe", { method: "POST", headers, body }));
  return { status: res.status, body: (await res.json()) as WebhookAnswer["body"] };
}

/** Signs an event with our webhook secret and delivers it. */
export async function deliver(event: Stripe.Event | string): Promise<WebhookAnswer> {
  const body = typeof event === "string" ? event : JSON.stringify(event);
  return postStripeWebhook(body, sign(body));
}

/** Like `deliver`, and fails the test unless the route answered 200. */
export async function deliverOk(event: Stripe.Event | string): Promise<WebhookAnswer["body"]> {
  const a = await deliver(event);
  if (a.status !== 200) throw new Error(`webhook answered ${a.status}: ${JSON.stringify(a.body)}`);
  return a.body;
}

/** Records the embedded stand-in's signed events; passes them to the route unless `hold` is set. */
export class EventTap {
  readonly events: { type: string; body: string; signature: string; event: Stripe.Event }[] = [];
  hold = false;
  readonly deliver: EventDelivery = async (body, signature) => {
    const event = JSON.parse(body) as Stripe.Event;
    this.events.push({ type: event.type, body, signature, event });
    if (this.hold) return { status: 200, text: "held" };
    const a = await postStripeWebhook(body, signature);
    return { status: a.status, text: JSON.stringify(a.body) };
  };
  of(type: string) {
    return this.events.filter((e) => e.type === type);
  }
  clear(): void {
    this.events.length = 0;
    this.hold = false;
  }
}

// ---- the fake Stripe API -------------------------------------------------------------------------------------------

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The form-encoded body, decoded: `{ "line_items[0][price]": "price_…" }`. */
  form: Record<string, string>;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
  authorization: string | undefined;
}

export interface FakeCharge {
  id: string;
  amount: number;
  /** What Stripe reports as the platform's application fee on this charge. */
  applicationFeeAmount: number | null;
}

const INVOICE_CHARGE_EXPAND = "payments.data.payment.payment_intent.latest_charge";

export class FakeStripe {
  readonly secretKey = "sk_test_fake_tradsy";
  readonly requests: RecordedRequest[] = [];
  /** What GET /v1/accounts/:id answers; created by POST /v1/accounts, flags set by tests. */
  readonly accounts = new Map<string, Obj>();
  /** Subscriptions POST /v1/subscriptions/:id updates and DELETE cancels (tests put the ones webhooks told us of). */
  readonly subscriptions = new Map<string, Stripe.Subscription>();
  /** Invoices GET /v1/invoices/:id answers, with the charge behind each. */
  readonly invoices = new Map<string, { amountPaid: number; charge: FakeCharge | null }>();
  /** Requests to answer with a 500 (`"DELETE /v1/subscriptions/sub_x"` → how many more times). */
  readonly failures = new Map<string, number>();
  private server: http.Server | undefined;
  private seq = 0;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      let raw = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (raw += c));
      req.on("end", () => {
        const url = new URL(req.url ?? "/", "http://fake-stripe.local");
        const header = (n: string) => (typeof req.headers[n] === "string" ? (req.headers[n] as string) : undefined);
        const rec: RecordedRequest = {
          method: req.method ?? "GET",
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          form: Object.fromEntries(new URLSearchParams(raw)),
          idempotencyKey: header("idempotency-key"),
          stripeVersion: header("stripe-version"),
          authorization: header("authorization"),
        };
        this.requests.push(rec);
        const key = `${rec.method} ${rec.path}`;
        const failing = this.failures.get(key) ?? 0;
        if (failing > 0) this.failures.set(key, failing - 1);
        const [status, body] = failing > 0 ? [500, { error: { type: "api_error", message: "Fake Stripe outage" } }] : this.answer(rec);
        res.writeHead(status, { "content-type": "application/json", "request-id": `req_fake_${this.requests.length}` });
        res.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  reset(): void {
    this.requests.length = 0;
    this.failures.clear();
    this.accounts.clear();
    this.subscriptions.clear();
    this.invoices.clear();
    this.seq = 0;
  }

  /** stripe-node, talking to this server. */
  gateway(): StripeApiGateway {
    return new StripeApiGateway(createStripeClient(this.secretKey, { host: "127.0.0.1", port: this.port, protocol: "http" }));
  }

  /** The requests made so far with this method and path: `calls("POST", "/v1/prices")`. */
  calls(method?: string, pathname?: string): RecordedRequest[] {
    return this.requests.filter((r) => (!method || r.method === method) && (!pathname || r.path === pathname));
  }

  /** Mirrors a subscription the webhooks told us of, so manage calls can update it here. */
  track(sub: Stripe.Subscription): void {
    this.subscriptions.set(sub.id, clone(sub));
  }

  private id(prefix: string): string {
    return `${prefix}_fake${++this.seq}`;
  }

  private answer(r: RecordedRequest): [number, unknown] {
    const now = unix(Date.now());
    const f = r.form;
    const meta = (prefix = "metadata") =>
      Object.fromEntries(Object.entries(f).flatMap(([k, v]) => (k.startsWith(`${prefix}[`) && k.endsWith("]") && !k.slice(prefix.length + 1, -1).includes("[") ? [[k.slice(prefix.length + 1, -1), v]] : [])));
    const missing = (what: string, id: string): [number, unknown] => [404, { error: { type: "invalid_request_error", code: "resource_missing", message: `No such ${what}: '${id}'`, param: "id" } }];
    const m = (re: RegExp) => r.path.match(re);
    let g: RegExpMatchArray | null;

    if (r.method === "POST" && r.path === "/v1/accounts") {
      const account = { id: this.id("acct"), object: "account", type: f.type, email: f.email, country: "US", created: now, charges_enabled: false, payouts_enabled: false, details_submitted: false, metadata: meta() };
      this.accounts.set(account.id, account);
      return [200, account];
    }
    if (r.method === "GET" && (g = m(/^\/v1\/accounts\/([^/]+)$/))) {
      const account = this.accounts.get(g[1]!);
      return account ? [200, account] : missing("account", g[1]!);
    }
    if (r.method === "POST" && r.path === "/v1/account_links") {
      if (!this.accounts.has(f.account ?? "")) return missing("account", f.account ?? "");
      return [200, { object: "account_link", created: now, expires_at: now + 300, url: `https://connect.stripe.com/setup/e/${f.account}/fake${++this.seq}` }];
    }
    if (r.method === "POST" && r.path === "/v1/products") return [200, { id: this.id("prod"), object: "product", active: true, name: f.name, metadata: meta(), created: now }];
    if (r.method === "POST" && r.path === "/v1/prices") {
      return [200, { id: this.id("price"), object: "price", active: true, currency: f.currency, unit_amount: Number(f.unit_amount), product: f.product, recurring: { interval: f["recurring[interval]"], interval_count: 1 }, type: "recurring", metadata: meta(), created: now }];
    }
    if (r.method === "POST" && r.path === "/v1/customers") return [200, { id: this.id("cus"), object: "customer", email: f.email, name: f.name ?? null, metadata: meta(), created: now }];
    if (r.method === "POST" && r.path === "/v1/checkout/sessions") {
      const id = this.id("cs_test");
      return [200, { id, object: "checkout.session", mode: f.mode, status: "open", payment_status: "unpaid", customer: f.customer, url: `https://checkout.stripe.com/c/pay/${id}`, created: now, expires_at: now + 86_400, metadata: meta(), success_url: f.success_url, cancel_url: f.cancel_url }];
    }
    if (r.method === "POST" && r.path === "/v1/billing_portal/sessions") {
      return [200, { id: this.id("bps"), object: "billing_portal.session", customer: f.customer, return_url: f.return_url, url: `https://billing.stripe.com/p/session/test_fake${this.seq}`, created: now }];
    }
    if ((g = m(/^\/v1\/subscriptions\/([^/]+)$/))) {
      const sub = this.subscriptions.get(g[1]!);
      if (!sub) return missing("subscription", g[1]!);
      if (r.method === "POST") {
        if (f.cancel_at_period_end !== undefined) {
          sub.cancel_at_period_end = f.cancel_at_period_end === "true";
          sub.cancel_at = sub.cancel_at_period_end ? Math.max(...sub.items.data.map((i) => i.current_period_end)) : null;
        }
        if (f.pause_collection === "") sub.pause_collection = null;
        if (f["pause_collection[behavior]"]) sub.pause_collection = { behavior: f["pause_collection[behavior]"] as Stripe.Subscription.PauseCollection.Behavior, resumes_at: null };
        return [200, sub];
      }
      if (r.method === "DELETE") {
        Object.assign(sub, { status: "canceled", canceled_at: now, ended_at: now, cancel_at_period_end: false });
        return [200, sub];
      }
    }
    if (r.method === "GET" && (g = m(/^\/v1\/invoices\/([^/]+)$/))) {
      const inv = this.invoices.get(g[1]!);
      if (!inv) return missing("invoice", g[1]!);
      const expand = Object.entries(r.query).filter(([k]) => k.startsWith("expand[")).map(([, v]) => v);
      const invoice: Obj = { id: g[1], object: "invoice", status: "paid", amount_paid: inv.amountPaid, currency: "usd" };
      // As Stripe: `payments` comes only when asked for, and the charge only when expanded down to it.
      if (expand.some((e) => e.startsWith("payments"))) {
        const c = inv.charge;
        const intent = c ? (expand.includes(INVOICE_CHARGE_EXPAND) ? { id: `pi_for_${c.id}`, object: "payment_intent", latest_charge: { id: c.id, object: "charge", amount: c.amount, application_fee_amount: c.applicationFeeAmount } } : `pi_for_${c.id}`) : null;
        invoice.payments = {
          object: "list",
          has_more: false,
          data: c ? [{ id: `inpay_for_${c.id}`, object: "invoice_payment", status: "paid", amount_paid: inv.amountPaid, invoice: g[1], payment: { type: "payment_intent", payment_intent: intent } }] : [],
        };
      }
      return [200, invoice];
    }
    return [404, { error: { type: "invalid_request_error", message: `Unrecognized request URL (${r.method}: ${r.path})` } }];
  }
}

/** One FakeStripe for the test file, installed as the payments gateway before each test and emptied. */
export function useFakeStripe(): FakeStripe {
  const fake = new FakeStripe();
  beforeAll(() => fake.start());
  beforeEach(() => {
    fake.reset();
    setPaymentsGateway(fake.gateway());
  });
  afterAll(async () => {
    setPaymentsGateway(undefined);
    await fake.stop();
  });
  return fake;
}

/** A fresh embedded stand-in before each test, its events recorded by a tap (and delivered to the route). */
export function useEmbeddedStripe(): { readonly gateway: EmbeddedStripeGateway; readonly tap: EventTap } {
  const tap = new EventTap();
  let gateway: EmbeddedStripeGateway | undefined;
  beforeEach(() => {
    tap.clear();
    gateway = new EmbeddedStripeGateway(tap.deliver);
    setPaymentsGateway(gateway);
  });
  afterAll(() => setPaymentsGateway(undefined));
  return {
    get gateway() {
      return gateway!;
    },
    tap,
  };
}

// ---- app-side helpers ----------------------------------------------------------------------------------------------

export async function providerRow(providerId: string) {
  return (await db.query.providers.findFirst({ where: eq(providers.id, providerId) }))!;
}

/**
 * A provider that takes paid subscribers: onboarded through `billing.startOnboarding` (the account enabled by the
 * embedded onboarding page, or by a signed `account.updated` with the fake), with a price set through `billing.setPrice`.
 */
export async function payableProvider(price: { priceCents?: number; trialDays?: number } = {}) {
  const p = await newProvider();
  await p.caller.billing.startOnboarding();
  const accountId = (await providerRow(p.provider.id)).stripeAccountId!;
  const gateway = getPaymentsGateway();
  if (gateway instanceof EmbeddedStripeGateway) {
    await gateway.completeOnboarding(accountId, { businessName: p.provider.displayName });
  } else {
    await deliverOk(stripeEvent("account.updated", accountObject({ id: accountId, chargesEnabled: true, payoutsEnabled: true, detailsSubmitted: true, providerId: p.provider.id })));
  }
  await p.caller.billing.setPrice({ priceCents: price.priceCents ?? 500, trialDays: price.trialDays ?? 0 });
  return { ...p, accountId, provider: await providerRow(p.provider.id) };
}

/**
 * Everything billing may write, for "a refused request writes nothing": row counts of every billing table (and the
 * audit log), the subscription rows, the providers' billing columns and the users' Stripe customer ids.
 */
export async function billingState() {
  const n = async (t: typeof stripeEvents | typeof payments | typeof checkoutSessions | typeof providerPrices | typeof freePaperCopies | typeof embeddedStripeObjects | typeof subscriptions | typeof auditLog) =>
    (await db.select({ n: count() }).from(t))[0]!.n;
  return {
    counts: {
      stripeEvents: await n(stripeEvents),
      payments: await n(payments),
      checkoutSessions: await n(checkoutSessions),
      providerPrices: await n(providerPrices),
      freePaperCopies: await n(freePaperCopies),
      embeddedStripeObjects: await n(embeddedStripeObjects),
      subscriptions: await n(subscriptions),
      auditLog: await n(auditLog),
    },
    subscriptions: await db.select().from(subscriptions).orderBy(asc(subscriptions.id)),
    payments: await db.select().from(payments).orderBy(asc(payments.id)),
    providers: await db
      .select({
        id: providers.id,
        stripeAccountId: providers.stripeAccountId,
        stripeProductId: providers.stripeProductId,
        stripePriceId: providers.stripePriceId,
        priceCents: providers.priceCents,
        trialDays: providers.trialDays,
        chargesEnabled: providers.chargesEnabled,
        payoutsEnabled: providers.payoutsEnabled,
        detailsSubmitted: providers.detailsSubmitted,
      })
      .from(providers)
      .orderBy(asc(providers.id)),
    customers: await db.select({ id: users.id, stripeCustomerId: users.stripeCustomerId }).from(users).orderBy(asc(users.id)),
  };
}

export async function subscriptionOf(subscriberId: string, providerId?: string) {
  const rows = await db.select().from(subscriptions).where(eq(subscriptions.subscriberId, subscriberId)).orderBy(asc(subscriptions.createdAt));
  return rows.filter((r) => !providerId || r.providerId === providerId);
}
