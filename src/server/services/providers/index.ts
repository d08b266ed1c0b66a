/** Provider profiles: creation at sign-up, the owner's edits, and the public marketplace reads. */
import "server-only";
import { containsPattern } from "@/server/db/like";
import { and, arrayOverlaps, asc, count, desc, eq, ilike, or, sql, arrayContains, type SQL } from "drizzle-orm";
import { db, type Executor } from "@/server/db";
import { FINISHED_SIGNAL_STATUSES, providers, users, type Market, personalProviderOf } from "@/server/db/schema";
import { NotFoundError } from "@/server/errors";
import { recordAudit } from "@/server/services/audit";
import { publicProviderColumns } from "./public-columns";
import type { ActingContext } from "@/server/services/context";
import { slugify } from "@/lib/slug";
import { randomBase32 } from "@/lib/ids";
import { DEFAULT_PRICE_CENTS } from "@/lib/billing";
import { resolveInstrumentQuery, type InstrumentQuery } from "@/lib/market-data/instrument-names";
import { executeRows } from "@/server/db/raw";
import { MARKET_OPTIONS } from "@/lib/validation/providers";
import { listSymbols } from "@/server/services/market-data";
import { logger } from "@/server/logger";
import { listedProvider } from "@/server/services/privacy/listing";


/** Creates the provider row with a unique slug (name, then name-2, … then a random suffix). */
export async function createProviderProfile(
  tx: Executor,
  input: {
    userId: string;
    displayName: string;
    tagline?: string;
    bio?: string;
    markets?: Market[];
    priceCents?: number;
    createdAt?: Date;
    /** A strategy running live (services/strategy-runs), hidden from the marketplace until `listedFrom`. */
    automated?: { listedFrom: Date };
  },
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
      ...(input.automated ? { automated: true, listedFrom: input.automated.listedFrom } : {}),
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
  return (await db.query.providers.findFirst({ where: personalProviderOf(userId) })) ?? null;
}

/** The actor edits their own provider profile. */
export async function updateProviderProfile(ctx: ActingContext, input: { displayName: string; tagline: string; bio: string; markets: Market[] }) {
  const userId = ctx.actor.id;
  return db.transaction(async (tx) => {
    const [row] = await tx.update(providers).set(input).where(personalProviderOf(userId)).returning();
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

const textList = (items: readonly string[]) =>
  sql.join(
    items.map((i) => sql`${i}`),
    sql`, `,
  );

/**
 * The symbols ever published whose base, quote or pair the search names, walked as a loose index scan over
 * `signals_symbol_provider_id_idx`: one index probe per distinct symbol, however many signals there are.
 */
async function publishedSymbolsNamed(named: InstrumentQuery): Promise<string[]> {
  // A symbol is "BASE/QUOTE", a ccxt contract "BASE/QUOTE:SETTLE", or a stock's bare ticker "GOOG".
  const base = sql`upper(split_part(symbol, '/', 1))`;
  const quote = sql`upper(split_part(split_part(symbol, '/', 2), ':', 1))`;
  const tests: SQL[] = [];
  if (named.codes.length) tests.push(sql`${base} in (${textList(named.codes)})`, sql`${quote} in (${textList(named.codes)})`);
  if (named.pair) tests.push(sql`${base} || ${quote} = ${named.pair}`);
  if (!tests.length) return [];
  const rows = await executeRows<{ symbol: string }>(
    db,
    sql`with recursive published(symbol) as (
          select min(symbol) from signals
          union all
          select (select min(n.symbol) from signals n where n.symbol > published.symbol) from published where published.symbol is not null
        )
        select symbol from published where symbol is not null and (${sql.join(tests, sql` or `)})`,
  );
  return rows.map((r) => r.symbol);
}

/**
 * Which providers a search text finds: its name or tagline holds the text (as before), or it lists a market the text
 * names ("crypto", "fx"), or it has published a signal on an instrument the text names ("bitcoin", "BTC",
 * "btcusdt", "BTC/USDT", "ether", "euro", "google"; see src/lib/market-data/instrument-names.ts).
 *
 * The instrument match runs in SQL, in two steps over `signals_symbol_provider_id_idx`: the published symbols the
 * text names (publishedSymbolsNamed, a few probes), then per provider one probe per such symbol (EXISTS on symbol
 * and provider id). Two statements, not one: as one, PostgreSQL charged the symbol walk to every provider's probe,
 * and the inflated estimate switched on JIT compilation, which alone cost 30 ms a call. Text naming no
 * instrument, or naming one nobody trades, skips the probes.
 */
export async function providerSearchCondition(q: string): Promise<SQL> {
  const like = containsPattern(q);
  const parts: SQL[] = [ilike(providers.displayName, like), ilike(providers.tagline, like)];
  const named = resolveInstrumentQuery(q);
  if (named.markets.length) parts.push(arrayOverlaps(providers.markets, named.markets));
  const symbols = await publishedSymbolsNamed(named);
  // Finished signals only: a live signal's instrument is hidden from the public, so a search must not find it either.
  if (symbols.length) parts.push(sql`exists (select 1 from signals s where s.symbol in (${textList(symbols)}) and s.provider_id = ${providers.id} and s.status in (${textList(FINISHED_SIGNAL_STATUSES)}))`);
  return or(...parts)!;
}

export async function listPublicProviders(input: ListProvidersInput) {
  const conditions: SQL[] = [listedProvider];
  if (input.q) conditions.push(await providerSearchCondition(input.q));
  if (input.market) conditions.push(arrayContains(providers.markets, [input.market]));
  const where = and(...conditions);
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
    .from(providers)
    .where(listedProvider);
  return { providers: row?.providers ?? 0, markets: row?.markets ?? [] };
}

/** Markets that can appear on the marketplace filter, and the rest of the list: "coming", shown disabled. */
export interface MarketplaceMarkets {
  offered: Market[];
  coming: Market[];
}

/** How long the marketplace waits for the adapter's symbol list (ccxt loads it over the network once). */
const SYMBOLS_TIMEOUT_MS = 1500;
/** The markets the adapters can carry at all, for when the symbol list does not come in time. */
const ADAPTER_MARKETS: readonly Market[] = ["crypto", "forex", "stocks"];

/**
 * The markets offered as filters: those the configured market data has instruments in (a signal can only be
 * published on a symbol the adapter knows, so every market a provider trades is among them). A market a provider may
 * list on its profile but with no instrument behind it (futures, commodities today) is "coming", not a filter.
 */
export async function marketplaceMarkets(): Promise<MarketplaceMarkets> {
  let kinds: readonly string[] = ADAPTER_MARKETS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), SYMBOLS_TIMEOUT_MS)));
    const listed = await Promise.race([listSymbols(), timeout]);
    if (listed) kinds = listed.symbols.map((s) => s.market);
    else logger.warn("market data did not list its symbols in time; offering every market it can carry");
  } catch (err) {
    logger.warn({ err }, "market data could not list its symbols; offering every market it can carry");
  } finally {
    clearTimeout(timer);
  }
  const have = new Set(kinds);
  return { offered: MARKET_OPTIONS.filter((m) => have.has(m)), coming: MARKET_OPTIONS.filter((m) => !have.has(m)) };
}
