/**
 * What a provider's own profile looks like on the wire (providers.mine, providers.updateMine, account.me). An output
 * schema, not just a type: tRPC replaces the answer with the parsed value and zod objects drop keys they do not list,
 * so a column added to `providers` later is not sent until it is added here on purpose.
 */
import "server-only";
import { z } from "zod";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { publicProviderColumns } from "@/server/services/providers/public-columns";

export const ownProviderOutput = z.object({
  id: z.string(),
  slug: z.string(),
  displayName: z.string(),
  tagline: z.string(),
  bio: z.string(),
  markets: z.array(z.enum(MARKET_OPTIONS)),
  priceCents: z.number().int(),
  trialDays: z.number().int(),
  detailsSubmitted: z.boolean(),
  chargesEnabled: z.boolean(),
  payoutsEnabled: z.boolean(),
  /** A TradingView webhook secret exists (the secret itself was shown once, when it was made). */
  webhookConfigured: z.boolean(),
  /** Alerts must carry a passphrase (kept sealed on the server). */
  hasWebhookPassphrase: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});

const keysOf = <K extends string>(o: Record<K, unknown>) => Object.fromEntries(Object.keys(o).map((k) => [k, true])) as { [P in K]: true };

/** What anyone sees of a provider (providers.list, providers.bySlug): the public columns, typed as the own profile types them. */
export const publicProviderOutput = ownProviderOutput.pick(keysOf(publicProviderColumns));
