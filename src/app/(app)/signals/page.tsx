import type { Metadata } from "next";
import Link from "next/link";
import { requireProvider } from "@/server/auth/require-provider";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { api, getQueryClient, HydrateClient, trpc } from "@/trpc/server";
import { PublishForm, SignalBook } from "./client";

export const metadata: Metadata = { title: "Signals" };

export default async function SignalsPage() {
  await requireProvider("/signals");
  const caller = await api();
  const queryClient = getQueryClient();
  // The book's first page is rendered on the server and handed to the client cache, so it shows without a spinner.
  const [provider, market] = await Promise.all([
    caller.providers.mine(),
    caller.signals.symbols(),
    queryClient.prefetchQuery(trpc.signals.mine.queryOptions({ status: "live", page: 1, pageSize: 10 })),
  ]);

  return (
    <HydrateClient>
      <PageHeader
        title="Signals"
        description="Everything you publish is final and hash-chained: changes are added as events, never edits."
        action={
          <ButtonLink href={`/providers/${provider.slug}`} variant="secondary">
            View public record
          </ButtonLink>
        }
      />
      <div className="space-y-6">
        <PublishForm symbols={market.symbols} marketSource={market.source} />
        <SignalBook providerId={provider.id} symbols={market.symbols} />
        <Card>
          <CardHeader title="Publish from your own tools" description="The same rules and the same record, whichever way a signal arrives." />
          <CardBody>
            <ul className="grid gap-4 text-sm sm:grid-cols-2">
              <li>
                <p className="font-medium text-slate-900">REST API</p>
                <p className="mt-1 text-slate-600">
                  <code className="font-mono text-xs">POST /api/v1/signals</code> with an API key, from a bot or a script.
                </p>
                <ButtonLink href="/settings#api-keys" variant="secondary" size="sm" className="mt-2">
                  Manage API keys
                </ButtonLink>
              </li>
              <li>
                <p className="font-medium text-slate-900">TradingView alerts</p>
                <p className="mt-1 text-slate-600">Point an alert&apos;s webhook at your private Tradsy URL; buy, sell, exit and cancel are understood.</p>
                <ButtonLink href="/settings#tradingview" variant="secondary" size="sm" className="mt-2">
                  Set up TradingView
                </ButtonLink>
              </li>
            </ul>
            <p className="mt-4 text-xs text-slate-500">
              Anyone can check your record against its hash chain on your{" "}
              <Link href={`/providers/${provider.slug}/verify`} className="font-medium text-brand-700 hover:underline">
                verification page
              </Link>
              .
            </p>
          </CardBody>
        </Card>
      </div>
    </HydrateClient>
  );
}
