import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { TRPCError } from "@trpc/server";
import { ButtonLink } from "@/components/ui/button";
import { Badge, Card, CardBody, CardHeader } from "@/components/ui/card";
import { formatCents } from "@/lib/money";
import { auth } from "@/server/auth";
import { api } from "@/trpc/server";

export const dynamic = "force-dynamic";

const MARKET_LABEL: Record<string, string> = {
  crypto: "Crypto",
  forex: "Forex",
  stocks: "Stocks",
  futures: "Futures",
  commodities: "Commodities",
};
const mediumDate = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" });
const monthYear = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" });

type Params = Promise<{ slug: string }>;

/** Shared by generateMetadata and the page within one request. Unknown or malformed slugs read as "not found". */
const getProvider = cache(async (slug: string) => {
  const caller = await api();
  try {
    return await caller.providers.bySlug({ slug });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) return null;
    throw err;
  }
});

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { slug } = await params;
  const provider = await getProvider(slug);
  if (!provider) return { title: "Provider not found" };
  return {
    title: provider.displayName,
    description: provider.tagline || `${provider.displayName} publishes trading signals on Tradsy with a tamper-evident track record.`,
  };
}

function initials(name: string) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("");
}

export default async function ProviderProfilePage({ params }: { params: Params }) {
  const { slug } = await params;
  const [provider, session] = await Promise.all([getProvider(slug), auth()]);
  if (!provider) notFound();

  const paragraphs = provider.bio
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

  return (
    <>
      <Link href="/providers" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Marketplace
      </Link>

      <header className="mt-4 flex flex-col gap-4 sm:flex-row sm:items-center">
        <span
          aria-hidden="true"
          className="flex size-16 shrink-0 items-center justify-center rounded-xl bg-brand-700 text-xl font-semibold text-white"
        >
          {initials(provider.displayName)}
        </span>
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight text-slate-900 sm:text-3xl">{provider.displayName}</h1>
          {provider.tagline ? <p className="mt-1 text-slate-600">{provider.tagline}</p> : null}
          {provider.markets.length ? (
            <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Markets">
              {provider.markets.map((m) => (
                <li key={m}>
                  <Badge tone="brand">{MARKET_LABEL[m] ?? m}</Badge>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      </header>

      {/* Source order puts the price first on small screens; on large ones it sits in the right column. */}
      <div className="mt-8 grid items-start gap-6 lg:grid-cols-[1fr_20rem] lg:grid-rows-[auto_1fr]">
        <aside aria-label="Subscription" className="lg:col-start-2 lg:row-start-1">
          <Card>
            <CardBody className="py-5">
              <p>
                <span className="text-3xl font-semibold tracking-tight text-slate-900 tabular-nums">{formatCents(provider.priceCents)}</span>
                <span className="text-sm text-slate-500"> / month</span>
              </p>
              {provider.trialDays > 0 ? (
                <p className="mt-2">
                  <Badge tone="green">{provider.trialDays}-day free trial</Badge>
                </p>
              ) : null}
              <div className="mt-4 rounded-md bg-slate-50 px-3 py-3 text-sm text-slate-600">
                Subscriptions open once {provider.displayName} has finished setting up payouts. The price above is what you will pay;
                70% of it goes to the provider.
              </div>
              {session ? null : (
                <div className="mt-4 border-t border-slate-100 pt-4">
                  <p className="text-sm text-slate-600">Create a free account to be ready. The free tier copies up to 4 signals on paper.</p>
                  <ButtonLink href="/signup?role=subscriber" className="mt-3 w-full">
                    Create a free account
                  </ButtonLink>
                </div>
              )}
            </CardBody>
          </Card>
        </aside>

        <div className="space-y-6 lg:col-start-1 lg:row-span-2 lg:row-start-1">
          <Card>
            <CardHeader
              title="Track record"
              description="Computed from the provider's hash-chained signal history, never entered by hand."
            />
            <CardBody>
              <div className="flex flex-col items-center rounded-lg border border-dashed border-slate-300 px-6 py-10 text-center">
                <svg viewBox="0 0 24 24" className="size-8 text-slate-400" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
                  <path d="M3 17l5-5 4 4 9-9M15 7h6v6" />
                </svg>
                <h3 className="mt-3 text-base font-semibold text-slate-900">No signals published yet</h3>
                <p className="mt-1 max-w-md text-sm text-slate-600">
                  When {provider.displayName} publishes, each signal is sealed into a sha256 hash chain the moment it arrives. The equity
                  curve, win rate and drawdown shown here will be computed from closed signals only.
                </p>
              </div>
            </CardBody>
          </Card>

          <Card>
            <CardHeader title={`About ${provider.displayName}`} />
            <CardBody className="space-y-3 text-[15px] leading-7 text-slate-700">
              {paragraphs.length ? (
                paragraphs.map((p, i) => (
                  <p key={i} className="whitespace-pre-line">
                    {p}
                  </p>
                ))
              ) : (
                <p className="text-slate-500">{provider.displayName} hasn&rsquo;t written a bio yet.</p>
              )}
            </CardBody>
          </Card>
        </div>

        <div className="lg:col-start-2 lg:row-start-2">
          <Card>
            <CardHeader title="Details" />
            <CardBody>
              <dl className="space-y-3 text-sm">
                <div className="flex justify-between gap-4">
                  <dt className="text-slate-500">Member since</dt>
                  <dd className="font-medium text-slate-900">{mediumDate.format(provider.memberSince)}</dd>
                </div>
                <div className="flex justify-between gap-4">
                  <dt className="text-slate-500">Track record since</dt>
                  <dd className="font-medium text-slate-900">{monthYear.format(provider.createdAt)}</dd>
                </div>
                <div className="flex justify-between gap-4">
                  <dt className="text-slate-500">Markets</dt>
                  <dd className="text-right font-medium text-slate-900">
                    {provider.markets.length ? provider.markets.map((m) => MARKET_LABEL[m] ?? m).join(", ") : "Not set"}
                  </dd>
                </div>
              </dl>
            </CardBody>
          </Card>
        </div>
      </div>
    </>
  );
}
