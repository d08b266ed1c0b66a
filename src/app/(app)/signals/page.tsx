import type { Metadata } from "next";
import { requireProvider } from "@/server/auth/require-provider";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { Icon } from "@/components/shell/icons";

export const metadata: Metadata = { title: "Signals" };

export default async function SignalsPage() {
  await requireProvider("/signals");
  return (
    <>
      <PageHeader title="Signals" description="Everything you publish is final and hash-chained: changes are added as events, never edits." />
      <EmptyState icon={<Icon name="signal" className="size-10" />} title="You haven't published a signal yet">
        Your first signal starts your verified track record. Traders see its outcome computed from market prices, not from your word.
      </EmptyState>
      <Card className="mt-6">
        <CardHeader title="Three ways to publish" />
        <CardBody>
          <ul className="grid gap-4 text-sm sm:grid-cols-3">
            <li>
              <p className="font-medium text-slate-900">From the web</p>
              <p className="mt-1 text-slate-600">Symbol, side, entry, stop-loss and up to three take-profits, straight from this page.</p>
            </li>
            <li>
              <p className="font-medium text-slate-900">REST API</p>
              <p className="mt-1 text-slate-600">POST /api/v1/signals with an API key from your settings.</p>
              <ButtonLink href="/settings#api-keys" variant="secondary" size="sm" className="mt-2">
                Manage API keys
              </ButtonLink>
            </li>
            <li>
              <p className="font-medium text-slate-900">TradingView alerts</p>
              <p className="mt-1 text-slate-600">Point an alert&apos;s webhook at your private Tradsy URL; buy, sell, exit and cancel are understood.</p>
            </li>
          </ul>
        </CardBody>
      </Card>
    </>
  );
}
