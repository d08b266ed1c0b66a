/**
 * Set-based seeding for the bench: the bench measures reads and requests, not the seeding, so rows are generated
 * inside the database (generate_series) with deterministic pseudo-random values (hashtext), the same every run.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "@/server/db";
import { MARKET_OPTIONS } from "@/lib/validation/providers";

/** Rows of `db.execute`: postgres.js returns them as an array, PGlite as `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A deterministic value in [0, 1) from a row number and a salt (PostgreSQL's hashtext). */
const rnd = (expr: string, salt: string) => `((hashtext((${expr})::text || '${salt}')::bigint + 2147483648) / 4294967296.0)`;

/** Provider users and profiles `prv_bench_1..n`, created 1..n days ago, markets and prices spread. */
export async function seedProviders(db: Db, n: number) {
  await db.execute(sql`
    insert into users (id, email, name, role, disclaimer_accepted_at, terms_accepted_at)
    select 'usr_bench_' || g, 'bench-' || g || '@example.com', 'Bench Provider ' || g, 'provider', now(), now()
    from generate_series(1, ${n}) g`);
  await db.execute(sql`
    insert into providers (id, user_id, slug, display_name, tagline, markets, price_cents, created_at)
    select 'prv_bench_' || g, 'usr_bench_' || g, 'bench-provider-' || g, 'Bench Provider ' || g,
           'Strategy number ' || g, (array[${sql.raw(MARKET_OPTIONS.map((m) => `'${m}'`).join(","))}])[1 + g % 5:1 + g % 5],
           100 + (g % 20) * 100, now() - (g || ' days')::interval
    from generate_series(1, ${n}) g`);
}

/**
 * `perProvider` signals for each of `providers` providers (1,000 x 1,000 = 1,000,000): numbered 1..perProvider,
 * about 17 hours apart ending now, the newest 1% open, about 1% cancelled limit entries, the rest closed at a stop or
 * a target with their result. Hash columns hold 64 hex characters like real ones; the chain events are not seeded
 * (the marketplace reads never touch them).
 */
export async function seedSignals(db: Db, providers: number, perProvider: number, parallel = 2) {
  const total = providers * perProvider;
  const slices = Math.max(1, parallel * 2);
  const size = Math.ceil(total / slices);
  const ranges = Array.from({ length: slices }, (_, i) => [i * size, Math.min(total, (i + 1) * size) - 1] as const).filter(([a, b]) => a <= b);
  const openFrom = perProvider - Math.max(1, Math.round(perProvider / 100)) + 1;
  const insertRange = (from: number, to: number) =>
    db.execute(
      sql.raw(`
    insert into signals (id, provider_id, number, symbol, side, entry_type, entry_price, initial_stop, stop_loss, take_profits,
                         note, source, status, published_at, expires_at, filled_at, fill_price, remaining, closed_at,
                         exit_price, exit_reason, result_pct, result_r, prev_hash, hash)
    select 'sig_bench_' || g, 'prv_bench_' || p, n, sym, side, etype, entry, stop, stop,
           jsonb_build_array(jsonb_build_object('price', round(entry * (1 + dir * 0.04), 2)::text, 'share', '1')),
           '', (array['ui','api','tradingview','demo']::signal_source[])[1 + g % 4],
           status, pub, case when etype = 'limit' then pub + interval '24 hours' end,
           case when status <> 'cancelled' then pub end, case when status <> 'cancelled' then entry end,
           case when status = 'closed' then '0' else '1' end::numeric,
           case when status in ('closed', 'cancelled') then pub + hold end,
           case when status = 'closed' then round(entry * (1 + dir * (case when win then 0.04 else -0.02 end)), 2) end,
           case when status = 'closed' then (case when win then 'take_profit' else 'stop_loss' end)
                when status = 'cancelled' then 'cancelled' end,
           case when status = 'closed' then (case when win then 0.0392 else -0.0208 end) end,
           case when status = 'closed' then (case when win then 2 else -1 end) end,
           md5(g::text) || md5((g + 1)::text), md5((g + 2)::text) || md5((g + 3)::text)
    from (
      select g, p, n, sym, side, etype, entry, pub, hold, win,
             case when side = 'long' then 1 else -1 end as dir,
             round(entry * (1 - (case when side = 'long' then 1 else -1 end) * 0.02), 2) as stop,
             (case when n >= ${openFrom} then 'open' when n % 97 = 0 then 'cancelled' else 'closed' end)::signal_status as status
      from (
        select g, 1 + g % ${providers} as p, 1 + g / ${providers} as n,
               (array['BTC/USDT','EUR/USD','GOOG'])[1 + (g % ${providers}) % 3] as sym,
               (array['long','short']::signal_side[])[1 + (g / 7) % 2] as side,
               (case when (1 + g / ${providers}) % 97 = 0 then 'limit' else 'market' end)::entry_type as etype,
               round((case (g % ${providers}) % 3 when 0 then 20000 + 8000 * sin(g / 5000.0)
                                                   when 1 then 1.1 + 0.05 * sin(g / 5000.0)
                                                   else 600 + 100 * sin(g / 5000.0) end)::numeric, 5) as entry,
               now() - ((${perProvider} - (1 + g / ${providers})) * interval '17 hours') - ((g % ${providers}) % 17) * interval '1 hour' - interval '1 hour' as pub,
               (1 + floor(${rnd("g", "h")} * 48)) * interval '1 hour' as hold,
               ${rnd("g", "w")} < 0.35 + 0.3 * ((g % ${providers}) % 10) / 10.0 as win
        from generate_series(${from}, ${to}) g
      ) base
    ) s`),
    );
  // Bulk-load practice: drop the secondary indexes, load in `parallel` concurrent slices, rebuild the indexes from
  // their own definitions (sorted builds, ~40% faster than maintaining them row by row). The schema ends identical.
  const indexes = rowsOf<{ name: string; def: string }>(
    await db.execute(sql`
      select indexname as name, indexdef as def from pg_indexes
      where schemaname = current_schema() and tablename = 'signals' and indexname <> 'signals_pkey'`),
  );
  for (const ix of indexes) await db.execute(sql.raw(`drop index "${ix.name}"`));
  for (let i = 0; i < ranges.length; i += parallel) await Promise.all(ranges.slice(i, i + parallel).map(([a, b]) => insertRange(a, b)));
  await Promise.all(indexes.map((ix) => db.execute(sql.raw(ix.def))));
}

/**
 * provider_stats for the four windows of every provider, with plausible figures: closed counts that grow with the
 * window, one provider in seven unranked (too few signals), scores only where ranked.
 */
export async function seedProviderStats(db: Db, providers: number) {
  await db.execute(
    sql.raw(`
    insert into provider_stats (provider_id, "window", closed_signals, wins, roi, win_rate, profit_factor, max_drawdown,
                                sharpe, sortino, expectancy, avg_r, avg_hold_hours, score, ranked, first_signal_at, computed_at)
    select 'prv_bench_' || p, w, closed, round(closed * wr)::int, round((${rnd("p::text || w::text", "roi")} * 1.6 - 0.4)::numeric * span, 6),
           round(wr::numeric, 6), round((0.5 + ${rnd("p::text || w::text", "pf")} * 2)::numeric, 4), round((0.03 + ${rnd("p::text || w::text", "dd")} * 0.5)::numeric, 6),
           sh, round(sh * 1.4, 4), round((${rnd("p::text || w::text", "ex")} * 0.02 - 0.005)::numeric, 6), round((${rnd("p::text || w::text", "r")} * 1.2 - 0.3)::numeric, 4),
           round((2 + ${rnd("p::text || w::text", "hold")} * 46)::numeric, 2),
           case when ranked then round((sh * (0.5 + ${rnd("p::text || w::text", "sc")}))::numeric, 6) end, ranked,
           now() - interval '708 days', now()
    from (
      select p, w, span, wr, sh,
             case when p % 7 = 0 then 5 + p % 10 else round(span * 990)::int end as closed,
             p % 7 <> 0 as ranked
      from (
        select p, w.w::stats_window as w, w.span, 0.3 + ${rnd("p::text || w.w", "wr")} * 0.4 as wr,
               round((${rnd("p::text || w.w", "sh")} * 3 - 0.5)::numeric, 4) as sh
        from generate_series(1, ${providers}) p
        cross join (values ('30d', 0.043), ('90d', 0.127), ('1y', 0.515), ('all', 1.0)) as w(w, span)
      ) a
    ) b`),
  );
}

/** `subscribers` subscriber accounts with `perSubscriber` subscriptions each, spread over the providers. */
export async function seedSubscriptions(db: Db, providers: number, subscribers: number, perSubscriber: number) {
  await db.execute(sql`
    insert into users (id, email, name, role, terms_accepted_at)
    select 'usr_bench_sub_' || s, 'bench-sub-' || s || '@example.com', 'Bench Subscriber ' || s, 'subscriber', now()
    from generate_series(1, ${subscribers}) s`);
  await db.execute(sql`
    insert into subscriptions (id, subscriber_id, provider_id, status, current_period_end, created_at)
    select 'sub_bench_' || s || '_' || k, 'usr_bench_sub_' || s, 'prv_bench_' || (1 + (s * 7 + k * 131) % ${providers}),
           (array['active','active','active','trialing','past_due','canceled']::subscription_status[])[1 + (s + k) % 6],
           now() + interval '20 days', now() - ((s % 300) || ' days')::interval
    from generate_series(1, ${subscribers}) s, generate_series(0, ${perSubscriber - 1}) k`);
}

export interface WebhookProvider {
  id: string;
  token: string;
}

/**
 * `n` providers `prv_hook_1..n`, each with a TradingView webhook URL token (only its sha256 stored, as
 * rotateWebhookToken does). Returns the tokens in provider order.
 */
export async function seedWebhookProviders(db: Db, n: number): Promise<WebhookProvider[]> {
  const tokens = Array.from({ length: n }, () => `tv_${randomBytes(18).toString("base64url")}`);
  await db.execute(sql`
    insert into users (id, email, name, role, disclaimer_accepted_at, terms_accepted_at)
    select 'usr_hook_' || g, 'hook-' || g || '@example.com', 'Hook Provider ' || g, 'provider', now(), now()
    from generate_series(1, ${n}) g`);
  await db.execute(sql`
    insert into providers (id, user_id, slug, display_name, markets, webhook_token_hash)
    select 'prv_hook_' || i, 'usr_hook_' || i, 'hook-provider-' || i, 'Hook Provider ' || i, array['crypto'],
           encode(sha256(convert_to(t, 'UTF8')), 'hex')
    from unnest(string_to_array(${tokens.join(",")}, ',')) with ordinality as x(t, i)`);
  return tokens.map((token, i) => ({ id: `prv_hook_${i + 1}`, token }));
}

/** Refreshes planner statistics after bulk loads, as autovacuum would shortly after. */
export async function analyze(db: Db) {
  await db.execute(sql`analyze`);
}
