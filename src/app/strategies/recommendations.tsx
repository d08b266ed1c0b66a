import Link from "next/link";
import { ButtonLink } from "@/components/ui/button";
import { Badge } from "@/components/ui/card";
import { plainPct, RISK_LEVEL, ratioText } from "@/components/strategy-library/labels";
import type { api } from "@/trpc/server";

type Data = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["library"]["recommendations"]>>;

const TOLERANCE: Record<string, string> = { low: "low", medium: "medium", high: "high" };

/** "Recommended for you": the signed-in trader's matches with the reasons, or the two questions when unanswered. */
export function Recommendations({ data }: { data: Data }) {
  const { profile, items } = data;
  const answered = profile.riskTolerance && profile.experience;
  return (
    <section aria-labelledby="recommended" className="mb-6 rounded-lg border border-brand-100 bg-brand-50/50 p-4 sm:p-5">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="recommended" className="text-base font-semibold text-slate-900">
          Recommended for you
        </h2>
        {answered ? (
          <p className="text-xs text-slate-600">
            For {TOLERANCE[profile.riskTolerance!]} risk tolerance and {profile.experience} experience ·{" "}
            <Link href="/settings#trading-profile" className="font-medium text-brand-700 underline-offset-4 hover:underline">
              Change
            </Link>
          </p>
        ) : null}
      </div>
      {!answered ? (
        <div className="mt-2 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
          <p className="text-sm text-slate-700">
            Answer two questions — how much risk you accept and how experienced you are — and we suggest the strategies that fit. Optional; you can
            change the answers at any time.
          </p>
          <ButtonLink href="/settings#trading-profile" size="sm" className="shrink-0">
            Answer two questions
          </ButtonLink>
        </div>
      ) : items.length === 0 ? (
        <p className="mt-2 text-sm text-slate-700">
          No strategy in the library fits both answers yet: each one&apos;s backtest fell further than your tolerance allows or is more complex than we
          suggest. Browse them below, or revisit your answers.
        </p>
      ) : (
        <>
          <ol className="mt-3 grid gap-3 md:grid-cols-3">
            {items.slice(0, 3).map((r) => (
              <li key={r.id} className="rounded-md border border-slate-200 bg-white p-4">
                <div className="flex items-start justify-between gap-2">
                  <Link href={`/strategies/${r.id}`} className="font-semibold text-slate-900 hover:text-brand-800">
                    {r.name}
                  </Link>
                  <span className="shrink-0 whitespace-nowrap">
                    <Badge tone={RISK_LEVEL[r.riskLevel].tone === "brand" ? "brand" : RISK_LEVEL[r.riskLevel].tone}>{RISK_LEVEL[r.riskLevel].label}</Badge>
                  </span>
                </div>
                <p className="mt-1 text-xs text-slate-500 tabular-nums">
                  Hypothetical: max drawdown {plainPct(r.maxDrawdownPct)} · Sharpe {ratioText(r.sharpe)}
                </p>
                <ul className="mt-2 list-disc space-y-1 pl-4 text-xs text-slate-600">
                  {r.reasons.map((why) => (
                    <li key={why}>{why}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
          {data.basis ? <p className="mt-2 text-xs text-slate-500">Judged on each strategy&apos;s hypothetical backtest on {data.basis}.</p> : null}
        </>
      )}
    </section>
  );
}
