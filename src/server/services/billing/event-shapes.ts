/**
 * The shape of the Stripe events we handle, checked after the signature and before anything is read or written.
 *
 * A signature proves who sent an event, not that it holds what our handler reads: an API-version change, a
 * misconfigured test tool or a bug at either end can deliver `data: null`, an amount as text or an id with a NUL
 * byte. Reading those threw (a 500, which Stripe retries for three days to the same result) or wrote nonsense.
 *
 * Each schema names only the fields `webhooks.ts` reads, with the types and nullability Stripe documents, and lets
 * every other field through untouched (`looseObject`), so a new field from Stripe never refuses an event. Values
 * that end up in SQL are bounded the way our columns are: ids are Stripe's `[A-Za-z0-9_]` shape, amounts fit the
 * ledger's `integer` columns, times are unix seconds a `timestamptz` (and a JS Date) can hold, and the metadata
 * values we look up hold no control characters.
 */
import "server-only";
import { z } from "zod";
import { isSafeText } from "@/lib/validation/text";
import type { HandledEvent } from "./webhooks";

const stripeId = z.string().regex(/^[\w.-]{1,255}$/, "an id like in_1Abc");
/** Our own ids as copied into Stripe metadata; looked up as-is, so only text PostgreSQL can compare. */
const metadataValue = z.string().max(500).refine(isSafeText, "holds a control character");
const metadata = z.looseObject({ subscriberId: metadataValue.optional(), providerId: metadataValue.optional() });
/** Cents in an `integer` column (Stripe's own maximum charge is 99,999,999). */
const amount = z.number().int().min(0).max(2_147_483_647);
/** Unix seconds up to 9999-12-31 (PostgreSQL and Date go further; nothing legitimate does). */
const unixTime = z.number().int().min(0).max(253_402_300_799);
/** An expandable reference: the id, or the expanded object carrying it. */
const ref = z.union([stripeId, z.looseObject({ id: stripeId })]);

const checkoutSession = z.looseObject({
  id: stripeId,
  mode: z.string(),
  payment_status: z.string(),
  metadata: metadata.nullish(),
  subscription: ref.nullish(),
  customer: ref.nullish(),
});

const subscription = z.looseObject({
  id: stripeId,
  status: z.string(),
  pause_collection: z.looseObject({}).nullish(),
  customer: ref.nullish(),
  cancel_at_period_end: z.boolean().nullish(),
  cancel_at: unixTime.nullish(),
  canceled_at: unixTime.nullish(),
  ended_at: unixTime.nullish(),
  metadata: metadata.nullish(),
  items: z
    .looseObject({
      // Stripe allows 20 items per subscription; the bound keeps Math.min/max over them cheap.
      data: z
        .array(
          z.looseObject({
            current_period_start: unixTime,
            current_period_end: unixTime,
            price: z.looseObject({ id: stripeId, unit_amount: amount.nullish() }).nullish(),
          }),
        )
        .max(100)
        .nullish(),
    })
    .nullish(),
});

const invoice = z.looseObject({
  id: stripeId,
  amount_paid: amount,
  currency: z.string().regex(/^[a-z]{3}$/, "a three-letter currency code"),
  status: z.string().nullish(),
  period_start: unixTime.nullish(),
  period_end: unixTime.nullish(),
  status_transitions: z.looseObject({ paid_at: unixTime.nullish() }).nullish(),
  parent: z.looseObject({ subscription_details: z.looseObject({ subscription: ref.nullish(), metadata: metadata.nullish() }).nullish() }).nullish(),
  lines: z.looseObject({ data: z.array(z.looseObject({ period: z.looseObject({ start: unixTime.nullish(), end: unixTime.nullish() }).nullish() })) }).nullish(),
});

const account = z.looseObject({
  id: stripeId,
  charges_enabled: z.boolean().nullish(),
  payouts_enabled: z.boolean().nullish(),
  details_submitted: z.boolean().nullish(),
});

const charge = z.looseObject({ id: stripeId, amount, amount_refunded: amount, created: unixTime });

// Typed by the handled events, so a newly handled type does not compile until its shape is written here.
const OBJECTS: Record<HandledEvent, z.ZodType> = {
  "checkout.session.completed": checkoutSession,
  "customer.subscription.created": subscription,
  "customer.subscription.updated": subscription,
  "customer.subscription.deleted": subscription,
  "invoice.paid": invoice,
  "invoice.payment_failed": invoice,
  "account.updated": account,
  "charge.refunded": charge,
};
// A Map, so a type such as "constructor" finds nothing rather than Object.prototype's.
const OBJECT_OF = new Map<string, z.ZodType>(Object.entries(OBJECTS));

const envelope = z.looseObject({ id: stripeId, type: z.string(), created: unixTime });

/**
 * Null when a verified event can be handed to `processStripeEvent`; otherwise what is wrong with it, e.g.
 * "data.object.amount_paid: expected number, received string". Types we do not handle only need an envelope.
 */
export function stripeEventShapeProblem(event: unknown): string | null {
  const env = envelope.safeParse(event);
  if (!env.success) return describe(env.error);
  const objectSchema = OBJECT_OF.get(env.data.type);
  if (!objectSchema) return null;
  const data = z.looseObject({ object: objectSchema }).safeParse((event as { data?: unknown }).data);
  return data.success ? null : describe(data.error, "data");
}

function describe(error: z.ZodError, prefix?: string): string {
  const issue = error.issues[0];
  if (!issue) return "unreadable";
  const path = [...(prefix ? [prefix] : []), ...issue.path.map(String)].join(".");
  return `${path || "the event"}: ${issue.message}`;
}
