/** Provider profiles: creation at sign-up, the owner's edits, and the public marketplace reads. */
import "server-only";
import { containsPattern } from "@/server/db/like";
import { and, asc, count, desc, eq, ilike, or, sql, arrayContains } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { providers, users, type Market } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { publicProviderColumns } from "./public-columns";
import type { ActingContext } from "@/server/services/context";
import { slugify } from "@/lib/slug";
import { randomBase32 } from "@/lib/ids";
import { DEFAULT_PRICE_CENTS } from "@/lib/billing";


/** Creates the provider row with a unique slug (name, then name-2, … then a random suffix). */
export async function createProviderProfile(
  tx: Executor,
  input: { userId: string; displayName: string; tagline?: string; bio?: string; markets?: Market[]; priceCents?: number; createdAt?: Date },
) {
  const base = slugify(input.displayName);
  const taken = await tx
    .select({ slug: providers.slug })
    .from(providers)
    .where(or(eq(providers.slug, base), ilike(providers.slug, `${base}-%`)));
  const used = new Set(taken.map((r) => r.slug));
  let slug = base;
  for (let i = 2; used.has(slug); i++) slug = i < 50 ? `${base}-${i}` : `${base}-${randomBase32(6)}`;
  const [row] = await tx
    .insert(providers)
    .values({
      userId: input.userId,
      slug,
      displayName: input.displayName,
      tagline: input.tagline ?? "",
      bio: input.bio ?? "",
      markets: input.markets ?? [],
      priceCents: input.priceCents ?? DEFAULT_PRICE_CENTS,
      ...(input.createdAt ? { createdAt: input.createdAt } : {}),
    })
    .returning();
  return row!;
}

type ProviderRow = typeof providers.$inferSelect;

/**
 * A provider's own profile as its pages see it (account.me, providers.mine, the answer to an edit). The webhook's
 * token hash and sealed passphrase stay on the server: a page only needs to know whether each is set. Stripe ids
 * stay too (the payouts procedure answers in flags).
 */
export function toOwnProvider(row: ProviderRow) {
  return {
    id: row.id,
    slug: row.slug,
    displayName: row.displayName,
    tagline: row.tagline,
    bio: row.bio,
    markets: row.markets,
    priceCents: row.priceCents,
    trialDays: row.trialDays,
    detailsSubmitted: row.detailsSubmitted,
    chargesEnabled: row.chargesEnabled,
    payoutsEnabled: row.payoutsEnabled,
    webhookConfigured: row.webhookTokenHash !== null,
    hasWebhookPassphrase: row.webhookPassphraseEnc !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type OwnProvider = ReturnType<typeof toOwnProvider>;

export async function getProviderByUserId(userId: string) {
  return (await db.query.providers.findFirst({ where: eq(providers.userId, userId) })) ?? null;
}

/** The actor edits their own provider profile. */
export async function updateProviderProfile(ctx: ActingContext, input: { displayName: string; tagline: string; bio: string; markets: Market[] }) {
  const userId = ctx.actor.id;
  return db.transaction(async (tx) => {
    const [row] = await tx.update(providers).set(input).where(eq(providers.userId, userId)).returning();
    if (!row) throw new NotFoundError("You do not have a provider profile");
    await recordAudit(tx, { actorId: userId, action: "provider.profile_updated", targetType: "provider", targetId: row.id, ip: ctx.ip });
    return toOwnProvider(row);
  });
}

export interface ListProvidersInput {
  q?: string;
  market?: Market;
  page: number;
  pageSize: number;
}

export async function listPublicProviders(input: ListProvidersInput) {
  const conditions = [];
  if (input.q) {
    const like = containsPattern(input.q);
    conditions.push(or(ilike(providers.displayName, like), ilike(providers.tagline, like)));
  }
  if (input.market) conditions.push(arrayContains(providers.markets, [input.market]));
  const where = conditions.length ? and(...conditions) : undefined;
  const [items, [total]] = await Promise.all([
    db
      .select(publicProviderColumns)
      .from(providers)
      .where(where)
      .orderBy(desc(providers.createdAt), asc(providers.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    db.select({ n: count() }).from(providers).where(where),
  ]);
  return { items, total: total?.n ?? 0, page: input.page, pageSize: input.pageSize };
}

/** The id of the provider with this public slug; unknown is NOT_FOUND. */
export async function providerIdBySlug(slug: string): Promise<string> {
  const row = await db.query.providers.findFirst({ where: eq(providers.slug, slug), columns: { id: true } });
  if (!row) throw new NotFoundError("No provider with that name");
  return row.id;
}

export async function getPublicProvider(slug: string) {
  const [row] = await db
    .select({ ...publicProviderColumns, bio: providers.bio, memberSince: users.createdAt })
    .from(providers)
    .innerJoin(users, eq(users.id, providers.userId))
    .where(eq(providers.slug, slug))
    .limit(1);
  if (!row) throw new NotFoundError("No provider with that name");
  return row;
}

export async function marketplaceSummary() {
  const [row] = await db
    .select({
      providers: count(),
      markets: sql<string[]>`coalesce(array(select distinct unnest(${providers.markets}) from ${providers} order by 1), '{}')`,
    })
    .from(providers);
  return { providers: row?.providers ?? 0, markets: row?.markets ?? [] };
}
