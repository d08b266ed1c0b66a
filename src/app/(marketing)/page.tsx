import Link from "next/link";
import type { ReactNode } from "react";
import { ButtonLink } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { formatMonthYear } from "@/lib/format/dates";
import { formatCount } from "@/lib/format/numbers";
import { marketLabel } from "@/lib/labels";
import { formatCents } from "@/lib/money";
import { marketplaceSummary } from "@/server/services/providers";
import { api } from "@/trpc/server";

// The strip of real numbers and newest providers reads the database on every request.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  // Creating the caller opens the database, which marketplaceSummary() relies on.
  const caller = await api();
  const [summary, newest] = await Promise.all([marketplaceSummary(), caller.providers.list({ page: 1, pageSize: 3 })]);

  return (
    <>
      <Hero />
      <MarketplaceStrip providers={summary.providers} markets={summary.markets} newest={newest.items} />
      <HowItWorks />
      <Trust />
      <Pricing />
      <FinalCta />
    </>
  );
}

function Hero() {
  return (
    <section aria-labelledby="hero-title" className="relative overflow-hidden border-b border-slate-200 bg-white">
      <div
        aria-hidden="true"
        className="pointer-events-none absolute inset-0 bg-[radial-gradient(60rem_30rem_at_85%_-10%,var(--color-brand-50),transparent)]"
      />
      <div className="relative mx-auto grid max-w-6xl items-center gap-12 px-4 py-16 sm:px-6 lg:grid-cols-[1.15fr_1fr] lg:py-24">
        <div>
          <p className="inline-flex items-center gap-2 rounded-full bg-brand-50 px-3 py-1 text-xs font-semibold tracking-wide text-brand-800 uppercase ring-1 ring-brand-100">
            Verified signals · Copy trading
          </p>
          <h1 id="hero-title" className="mt-5 text-4xl font-semibold tracking-tight text-balance text-slate-900 sm:text-5xl">
            Copy traders whose track records can&rsquo;t be rewritten
          </h1>
          <p className="mt-5 max-w-xl text-lg text-pretty text-slate-600">
            Every signal on Tradsy is published before the trade plays out and sealed into a sha256 hash chain, so the record you
            see is the record that happened. Follow a provider and each signal is copied into a paper account or your own exchange
            account, sized by the risk limits you set.
          </p>
          <div className="mt-8 flex flex-col gap-3 sm:flex-row sm:items-center">
            <ButtonLink href="/signup?role=subscriber" size="lg">
              Start as a trader
            </ButtonLink>
            <ButtonLink href="/signup?role=provider" size="lg" variant="secondary">
              Publish signals
            </ButtonLink>
          </div>
          <p className="mt-5 text-sm text-slate-500">
            Free tier: copy up to 4 signals on paper.{" "}
            <Link href="/providers" className="font-medium text-brand-700 underline-offset-4 hover:underline">
              Browse the marketplace<span aria-hidden="true"> →</span>
            </Link>
          </p>
        </div>
        <RiskLimitsCard />
      </div>
    </section>
  );
}

function RiskLimitsCard() {
  const rows: { label: string; value: string }[] = [
    { label: "Position sizing", value: "Proportional, fixed or risk-based, scaled 0.1× to 2×" },
    { label: "Max position", value: "10% of equity per trade" },
    { label: "Open positions", value: "At most 5 at once" },
    { label: "Slippage guard", value: "Skip the copy if price moved more than 0.5%" },
    { label: "Daily loss limit", value: "Copying pauses for the day when it is hit" },
    { label: "Kill switch", value: "Close everything and stop copying in one click" },
  ];
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex items-center gap-3">
        <span className="flex size-9 items-center justify-center rounded-lg bg-brand-700 text-white" aria-hidden="true">
          <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
            <path d="M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z" />
            <path d="M9 12l2 2 4-4" />
          </svg>
        </span>
        <div>
          <h2 className="text-base font-semibold text-slate-900">Your limits, checked before every copy</h2>
          <p className="text-sm text-slate-500">Defaults shown; you set them per subscription.</p>
        </div>
      </div>
      <dl className="mt-5 divide-y divide-slate-100">
        {rows.map((r) => (
          <div key={r.label} className="grid gap-1 py-3 sm:grid-cols-[9rem_1fr] sm:gap-4">
            <dt className="text-sm font-medium text-slate-900">{r.label}</dt>
            <dd className="text-sm text-slate-600">{r.value}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function MarketplaceStrip({
  providers,
  markets,
  newest,
}: {
  providers: number;
  markets: string[];
  newest: { id: string; slug: string; displayName: string; tagline: string; markets: string[]; priceCents: number; createdAt: Date }[];
}) {
  return (
    <section aria-labelledby="strip-title" className="border-b border-slate-200 bg-slate-50">
      <div className="mx-auto max-w-6xl px-4 py-12 sm:px-6">
        <div className="flex flex-wrap items-end justify-between gap-4">
          <h2 id="strip-title" className="text-xl font-semibold tracking-tight text-slate-900">
            On the marketplace now
          </h2>
          <Link href="/providers" className="text-sm font-medium text-brand-700 underline-offset-4 hover:underline">
            See all providers<span aria-hidden="true"> →</span>
          </Link>
        </div>
        <div className="mt-6 grid gap-4 lg:grid-cols-[16rem_1fr]">
          <dl className="grid grid-cols-2 gap-4 lg:grid-cols-1">
            <div className="rounded-lg border border-slate-200 bg-white p-4">
              <dt className="text-sm text-slate-500">Signal providers</dt>
              <dd className="mt-1 text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{formatCount(providers)}</dd>
            </div>
            <div className="rounded-lg border border-slate-200 bg-white p-4">
              <dt className="text-sm text-slate-500">Markets covered</dt>
              <dd className="mt-1">
                <span className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{markets.length}</span>
                {markets.length ? (
                  <span className="mt-1 block text-sm text-slate-600">{markets.map(marketLabel).join(", ")}</span>
                ) : null}
              </dd>
            </div>
          </dl>
          {newest.length ? (
            <div>
              <h3 className="sr-only">Newest providers</h3>
              <ul className="grid gap-4 md:grid-cols-3">
                {newest.map((p) => (
                  <li key={p.id} className="relative flex flex-col rounded-lg border border-slate-200 bg-white p-4 transition-shadow hover:shadow-md has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-brand-600">
                    <p className="text-xs font-medium tracking-wide text-brand-700 uppercase">New provider</p>
                    <Link href={`/providers/${p.slug}`} className="mt-1 font-semibold text-slate-900 after:absolute after:inset-0 focus-visible:outline-none">
                      {p.displayName}
                    </Link>
                    <p className="mt-1 line-clamp-2 text-sm text-slate-600">{p.tagline || "No tagline yet."}</p>
                    <div className="mt-auto flex flex-wrap items-center gap-1.5 pt-4">
                      {p.markets.map((m) => (
                        <Badge key={m}>{marketLabel(m)}</Badge>
                      ))}
                    </div>
                    <p className="mt-3 text-sm text-slate-500">
                      <span className="font-medium text-slate-900">{formatCents(p.priceCents)}</span>/month · since {formatMonthYear(p.createdAt)}
                    </p>
                  </li>
                ))}
              </ul>
            </div>
          ) : (
            <div className="flex flex-col items-start justify-center rounded-lg border border-dashed border-slate-300 bg-white p-6">
              <h3 className="font-semibold text-slate-900">No providers yet</h3>
              <p className="mt-1 text-sm text-slate-600">The marketplace is open. Be the first to publish a verified record.</p>
              <ButtonLink href="/signup?role=provider" size="sm" className="mt-4">
                Become a provider
              </ButtonLink>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

function Step({ n, title, children }: { n: number; title: string; children: ReactNode }) {
  return (
    <li className="flex gap-4">
      <span aria-hidden="true" className="flex size-8 shrink-0 items-center justify-center rounded-full bg-brand-50 text-sm font-semibold text-brand-800 ring-1 ring-brand-100">
        {n}
      </span>
      <div>
        <h4 className="font-semibold text-slate-900">{title}</h4>
        <p className="mt-1 text-sm text-slate-600">{children}</p>
      </div>
    </li>
  );
}

/** A landing-page section: its anchor, a heading that names it, one line of introduction, then its content. */
function LandingSection(props: { id: string; titleId: string; title: string; intro: string; className: string; children: ReactNode }) {
  const { id, titleId, title, intro, className, children } = props;
  return (
    <section id={id} aria-labelledby={titleId} className={`scroll-mt-4 ${className}`}>
      <div className="mx-auto max-w-6xl px-4 py-16 sm:px-6 lg:py-20">
        <div className="max-w-2xl">
          <h2 id={titleId} className="text-3xl font-semibold tracking-tight text-slate-900">
            {title}
          </h2>
          <p className="mt-3 text-slate-600">{intro}</p>
        </div>
        {children}
      </div>
    </section>
  );
}

/** One side of "how it works": who it is for, their numbered steps, and where they sign up. */
function AudienceCard({ title, href, cta, children }: { title: string; href: string; cta: string; children: ReactNode }) {
  return (
    <div className="rounded-xl border border-slate-200 p-6 sm:p-8">
      <h3 className="text-lg font-semibold text-slate-900">{title}</h3>
      <ol className="mt-6 space-y-6">{children}</ol>
      <div className="mt-8">
        <ButtonLink href={href} variant="secondary">
          {cta}
        </ButtonLink>
      </div>
    </div>
  );
}

function HowItWorks() {
  return (
    <LandingSection
      id="how-it-works"
      titleId="how-title"
      className="bg-white"
      title="How it works"
      intro="Two sides of one ledger: providers publish, traders follow, and every step is recorded."
    >
      <div className="mt-10 grid gap-6 lg:grid-cols-2">
        <AudienceCard title="For traders" href="/signup?role=subscriber" cta="Sign up as a trader">
          <Step n={1} title="Pick a provider by their record">
            Filter by market and read each provider&rsquo;s full signal history: entries, stops, targets and every later change, in
            the order it happened.
          </Step>
          <Step n={2} title="Subscribe and set your limits">
            Pay the provider&rsquo;s monthly price, choose a paper account or a connected exchange, and set sizing, maximum position,
            slippage and daily loss limits.
          </Step>
          <Step n={3} title="Signals are copied for you">
            New signals are checked against your limits and placed automatically; stop moves and closes follow. Pause, close by hand
            or hit the kill switch at any time.
          </Step>
        </AudienceCard>
        <AudienceCard title="For providers" href="/signup?role=provider" cta="Sign up as a provider">
          <Step n={1} title="Create your profile">
            Describe your strategy, choose your markets and set your monthly price. Connect Stripe so payouts can reach you.
          </Step>
          <Step n={2} title="Publish the way you already work">
            Post from the web form, send signals from your own code through the REST API with an API key, or point a TradingView
            alert at your personal webhook URL.
          </Step>
          <Step n={3} title="Build a record and get paid">
            Each signal joins your public, hash-chained track record. You keep 70% of every subscription, paid out through Stripe
            Connect.
          </Step>
        </AudienceCard>
      </div>
    </LandingSection>
  );
}

function ChainBlock({ label, tone }: { label: string; tone: "muted" | "active" }) {
  return (
    <div
      className={
        tone === "active"
          ? "min-w-0 rounded-lg border border-brand-600 bg-white p-2 shadow-sm ring-2 ring-brand-100 sm:p-3"
          : "min-w-0 rounded-lg border border-slate-200 bg-white p-2 sm:p-3"
      }
    >
      <p className="text-xs font-semibold whitespace-nowrap text-slate-900">{label}</p>
      <p className="mt-2 font-mono text-[10px] leading-5 text-slate-500 sm:text-[11px]">prev_hash</p>
      <p className="font-mono text-[10px] leading-5 text-slate-500 sm:text-[11px]">content</p>
      <p className="font-mono text-[10px] leading-5 text-brand-700 sm:text-[11px]">hash</p>
    </div>
  );
}

function Trust() {
  return (
    <LandingSection
      id="trust"
      titleId="trust-title"
      className="border-y border-slate-200 bg-slate-50"
      title="A track record you can check yourself"
      intro="Screenshots and spreadsheets can be edited after the fact. Tradsy records are built so that editing them shows."
    >
      <div className="mt-10 grid gap-6 lg:grid-cols-2">
        <div className="min-w-0 rounded-xl border border-slate-200 bg-white p-5 sm:p-8">
          <h3 className="text-lg font-semibold text-slate-900">Tamper-evident signal history</h3>
          <div aria-hidden="true" className="mt-5 grid grid-cols-[1fr_auto_1fr_auto_1fr] items-center gap-1 rounded-lg bg-slate-50 p-2 sm:gap-2 sm:p-3">
            <ChainBlock label="Signal n−1" tone="muted" />
            <span className="text-slate-400">→</span>
            <ChainBlock label="Signal n" tone="active" />
            <span className="text-slate-400">→</span>
            <ChainBlock label="Signal n+1" tone="muted" />
          </div>
          <p className="mt-4 rounded-md bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
            hash<sub>n</sub> = sha256(hash<sub>n−1</sub> ‖ signal<sub>n</sub>)
          </p>
          <ul className="mt-5 space-y-3 text-sm text-slate-600">
            <li>
              <strong className="font-semibold text-slate-900">Published before the outcome.</strong> Each signal is timestamped when we
              receive it; back-dated signals are refused.
            </li>
            <li>
              <strong className="font-semibold text-slate-900">Append-only.</strong> Moving a stop, closing part of a position or closing it
              is a new event, chained the same way. Nothing is edited in place.
            </li>
            <li>
              <strong className="font-semibold text-slate-900">Anyone can recompute it.</strong> Each hash covers the previous one, so
              changing a single old signal breaks every hash after it.
            </li>
          </ul>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 sm:p-8">
          <h3 className="text-lg font-semibold text-slate-900">An execution ledger, not just ideal entries</h3>
          <p className="mt-3 text-sm text-slate-600">
            A provider&rsquo;s results are measured from the prices in their signals. The execution ledger shows what followers actually
            got, order by order.
          </p>
          <dl className="mt-5 grid gap-3 sm:grid-cols-2">
            {[
              ["Requested vs filled price", "The gap between the signal and the real fill."],
              ["Slippage", "Measured in basis points on every copied order."],
              ["Latency", "Time from signal to order on the exchange."],
              ["Fees", "What the exchange charged, counted in your P&L."],
              ["Skipped orders", "Copies your limits refused, with the reason."],
              ["Paper and live apart", "Paper fills never mix with exchange fills."],
            ].map(([term, desc]) => (
              <div key={term} className="rounded-lg border border-slate-100 bg-slate-50 p-3">
                <dt className="text-sm font-medium text-slate-900">{term}</dt>
                <dd className="mt-0.5 text-sm text-slate-600">{desc}</dd>
              </div>
            ))}
          </dl>
        </div>
      </div>
    </LandingSection>
  );
}

function Check() {
  return (
    <svg viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0 text-brand-700" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M4 10.5l4 4 8-9" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

function Pricing() {
  return (
    <LandingSection
      id="pricing"
      titleId="pricing-title"
      className="bg-white"
      title="Pricing that pays the people doing the work"
      intro="Start free on paper. When you subscribe, most of what you pay goes to the provider."
    >
      <div className="mt-10 grid gap-6 lg:grid-cols-3">
        <div className="flex flex-col rounded-xl border border-slate-200 p-6">
          <h3 className="text-lg font-semibold text-slate-900">Free</h3>
          <p className="mt-2">
            <span className="text-4xl font-semibold tracking-tight text-slate-900">$0</span>
          </p>
          <ul className="mt-6 space-y-3 text-sm text-slate-600">
            <li className="flex gap-2">
              <Check />
              Browse every provider&rsquo;s track record
            </li>
            <li className="flex gap-2">
              <Check />
              Copy up to 4 signals into a paper account
            </li>
            <li className="flex gap-2">
              <Check />
              Risk limits and kill switch included
            </li>
          </ul>
          <div className="mt-auto pt-8">
            <ButtonLink href="/signup?role=subscriber" variant="secondary" className="w-full">
              Start free
            </ButtonLink>
          </div>
        </div>
        <div className="flex flex-col rounded-xl border-2 border-brand-600 p-6 shadow-sm">
          <h3 className="text-lg font-semibold text-slate-900">Provider subscriptions</h3>
          <p className="mt-2 flex h-10 items-end text-2xl font-semibold tracking-tight text-slate-900">Set by each provider</p>
          <ul className="mt-6 space-y-3 text-sm text-slate-600">
            <li className="flex gap-2">
              <Check />
              Monthly price shown on every profile
            </li>
            <li className="flex gap-2">
              <Check />
              Copy to paper or your own exchange account
            </li>
            <li className="flex gap-2">
              <Check />
              Cancel any time; access runs to the end of the paid month
            </li>
            <li className="flex gap-2">
              <Check />
              Free trial when the provider offers one
            </li>
          </ul>
          <div className="mt-auto pt-8">
            <ButtonLink href="/providers" className="w-full">
              Browse providers
            </ButtonLink>
          </div>
        </div>
        <div className="flex flex-col rounded-xl border border-slate-200 bg-slate-50 p-6">
          <h3 className="text-lg font-semibold text-slate-900">Revenue split</h3>
          <p className="mt-2 text-sm text-slate-600">Of every subscription payment:</p>
          <div className="mt-4 flex h-10 overflow-hidden rounded-md text-sm font-semibold" role="img" aria-label="70% to the provider, 30% to the platform">
            <div className="flex w-[70%] items-center bg-brand-700 px-3 text-white">70% provider</div>
            <div className="flex w-[30%] items-center justify-center bg-slate-300 text-slate-800">30%</div>
          </div>
          <p className="mt-4 text-sm text-slate-600">
            Providers keep 70%, paid out through Stripe Connect. The platform&rsquo;s 30% pays for hosting, record verification and
            the copy-trading infrastructure.
          </p>
          <div className="mt-auto pt-8">
            <ButtonLink href="/signup?role=provider" variant="secondary" className="w-full">
              Become a provider
            </ButtonLink>
          </div>
        </div>
      </div>
    </LandingSection>
  );
}

const ctaBase =
  "inline-flex h-12 shrink-0 whitespace-nowrap items-center justify-center rounded-md px-6 text-base font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-white";

function FinalCta() {
  return (
    <section aria-labelledby="cta-title" className="bg-brand-800">
      <div className="mx-auto max-w-6xl px-4 py-14 sm:px-6">
        <div className="flex flex-col gap-6 lg:flex-row lg:items-center lg:justify-between">
          <div>
            <h2 id="cta-title" className="text-2xl font-semibold tracking-tight text-white sm:text-3xl">
              Start on paper. Go live when the record convinces you.
            </h2>
            <p className="mt-2 text-brand-100">Join as a trader to follow providers, or as a provider to publish your own signals.</p>
          </div>
          <div className="flex flex-col gap-3 sm:flex-row">
            {/* Own classes rather than overriding ButtonLink's: conflicting Tailwind utilities don't resolve by class order. */}
            <Link href="/signup?role=subscriber" className={`${ctaBase} bg-white text-brand-800 hover:bg-brand-50`}>
              Sign up as a trader
            </Link>
            <Link href="/signup?role=provider" className={`${ctaBase} border border-white/40 text-white hover:bg-white/10`}>
              Sign up as a provider
            </Link>
          </div>
        </div>
        <p className="mt-10 border-t border-white/15 pt-6 text-sm text-brand-100">
          Trading carries a high risk of loss and copy trading adds its own: slippage, latency and exchange outages can make your
          results differ from a provider&rsquo;s. Past performance, verified or not, does not guarantee future results. Tradsy does not
          give investment advice. Read the{" "}
          <Link href="/disclaimer" className="font-medium text-white underline underline-offset-4">
            risk disclaimer
          </Link>{" "}
          and{" "}
          <Link href="/terms" className="font-medium text-white underline underline-offset-4">
            terms of service
          </Link>
          .
        </p>
      </div>
    </section>
  );
}
