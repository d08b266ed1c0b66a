/**
 * Stripe object shapes for the embedded stand-in. When Stripe's own fixtures are at hand (`<market data dir>/stripe`,
 * the stripe/openapi fixtures: see ../shared/data/README.md) every object starts as a copy of the matching fixture,
 * so it carries every field Stripe's current API has; the stand-in then sets the fields it knows. Without them the
 * objects carry only the fields set here, which are the ones billing reads and Stripe documents.
 */
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { resolveMarketDataDir } from "@/server/integrations/market-data";

const FILES = {
  account: "stripe_account.json",
  checkout_session: "stripe_checkout_session.json",
  customer: "stripe_customer.json",
  invoice: "stripe_invoice.json",
  price: "stripe_price.json",
  subscription: "stripe_subscription.json",
  event: "stripe_event_envelope_plan_created.json",
} as const;
export type TemplateKind = keyof typeof FILES;

const cache = new Map<TemplateKind, Record<string, unknown> | null>();

export function stripeFixturesDir(): string | undefined {
  const dir = resolveMarketDataDir();
  const stripeDir = dir ? path.join(dir, "stripe") : undefined;
  return stripeDir && fs.existsSync(stripeDir) ? stripeDir : undefined;
}

function load(kind: TemplateKind): Record<string, unknown> | null {
  if (!cache.has(kind)) {
    const dir = stripeFixturesDir();
    let parsed: Record<string, unknown> | null = null;
    if (dir) {
      try {
        parsed = JSON.parse(fs.readFileSync(path.join(dir, FILES[kind]), "utf8")) as Record<string, unknown>;
      } catch {
        parsed = null;
      }
    }
    cache.set(kind, parsed);
  }
  return cache.get(kind) ?? null;
}

/** A fresh object of this kind: the fixture's fields (when present) overlaid with `fields`. */
export function shaped<T>(kind: TemplateKind, fields: Record<string, unknown>): T {
  const base = load(kind);
  return { ...(base ? (structuredClone(base) as Record<string, unknown>) : {}), ...fields } as T;
}
