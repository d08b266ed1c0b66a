import Link from "next/link";
import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { COMPLEXITY_LABEL, gainTone, plainPct, RISK_LEVEL, ratioText, signedPct, TAG_LABEL, type RiskLevelName, type StyleTagName } from "./labels";

export interface CardReference {
  market: string;
  symbol: string;
  timeframe: string;
  data: { label: string; synthetic: boolean };
  tradeCount: number;
  stats: Record<string, number | null>;
}

export interface CardEntry {
  id: string;
  name: string;
  description: string;
  markets: string[];
  timeframes: string[];
  tags: StyleTagName[];
  complexity: 1 | 2 | 3;
  riskLevel: RiskLevelName;
}

const MARKET_NAME: Record<string, string> = { crypto: "Crypto", stocks: "Stocks", forex: "Forex" };

/** One curated strategy in the library: what it is, and its reference backtest's key figures, labelled hypothetical. */
export function StrategyCard({ entry, reference, children }: { entry: CardEntry; reference: CardReference | null; children?: React.ReactNode }) {
  const risk = RISK_LEVEL[entry.riskLevel];
  const s = reference?.stats;
  return (
    <li className="group relative flex flex-col rounded-lg border border-slate-200 bg-white p-5 shadow-xs transition-shadow has-[a:focus-visible]:ring-2 has-[a:focus-visible]:ring-brand-600 hover:border-slate-300 hover:shadow-md">
      <div className="flex items-start justify-between gap-3">
        <h3 className="min-w-0 text-base font-semibold text-slate-900">
          <Link href={`/strategies/${entry.id}`} className="after:absolute after:inset-0 focus-visible:outline-none group-hover:text-brand-800">
            {entry.name}
          </Link>
        </h3>
        <span className="shrink-0 whitespace-nowrap">
          <Badge tone={risk.tone === "brand" ? "brand" : risk.tone}>{risk.label}</Badge>
        </span>
      </div>
      <p className="mt-2 line-clamp-3 text-sm text-slate-600">{entry.description}</p>
      <ul className="mt-3 flex flex-wrap gap-1.5" aria-label="Markets, timeframes and style">
        {entry.markets.map((m) => (
          <li key={m}>
            <Badge>{MARKET_NAME[m] ?? m}</Badge>
          </li>
        ))}
        <li>
          <Badge>{entry.timeframes.join(" · ")}</Badge>
        </li>
        {entry.tags.map((t) => (
          <li key={t}>
            <Badge tone="brand">{TAG_LABEL[t]}</Badge>
          </li>
        ))}
        <li>
          <Badge>{COMPLEXITY_LABEL[entry.complexity]}</Badge>
        </li>
      </ul>
      <div className="mt-auto pt-4">
        {reference && s ? (
          <div className="rounded-md bg-slate-50 px-3 py-2.5">
            <p className="flex flex-wrap items-center gap-x-2 text-xs font-medium text-slate-500">
              Hypothetical backtest · {reference.symbol} {reference.timeframe}
              {reference.data.synthetic ? <span className="font-semibold text-amber-800">· synthetic prices</span> : null}
            </p>
            <dl className="mt-1.5 flex flex-wrap justify-between gap-x-4 gap-y-2 text-sm">
              <Figure label="Return" value={signedPct(s.returnPct)} className={gainTone(s.returnPct)} />
              <Figure label="Max DD" value={plainPct(s.maxDrawdownPct)} className={s.maxDrawdownPct ? "text-loss" : undefined} />
              <Figure label="Sharpe" value={ratioText(s.sharpe)} />
              <Figure label="Trades" value={String(reference.tradeCount)} />
            </dl>
          </div>
        ) : (
          <p className="rounded-md bg-slate-50 px-3 py-2.5 text-xs text-slate-500">No reference backtest for this market yet.</p>
        )}
        {children}
      </div>
    </li>
  );
}

function Figure({ label, value, className }: { label: string; value: string; className?: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={cn("font-semibold tabular-nums text-slate-900", className)}>{value}</dd>
    </div>
  );
}
