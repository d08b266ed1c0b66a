/**
 * What anyone may see of a provider, listed once: the marketplace list and leaderboard select these columns, the
 * profile adds its bio and member-since, and the routers' output schema is derived from the same keys.
 */
import "server-only";
import { providers } from "@/server/db/schema";

export const publicProviderColumns = {
  id: providers.id,
  slug: providers.slug,
  displayName: providers.displayName,
  tagline: providers.tagline,
  markets: providers.markets,
  priceCents: providers.priceCents,
  trialDays: providers.trialDays,
  createdAt: providers.createdAt,
};
