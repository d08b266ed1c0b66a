/**
 * Says plainly what prices a person is looking at, wherever track-record figures are shown: on the marketplace a
 * notice naming the replayed recordings and their months (or live exchange prices, or the synthetic walk), and on
 * a provider's chart one line per instrument ("Binance BTC/USDT 1h, recorded Jul 2021–Jul 2022, replayed"). The
 * words come from lib/market-data/price-source.ts, from the recordings' own spans and offsets.
 */
import { cn } from "@/components/ui/cn";
import { instrumentPriceLabels, priceSourceNotice, type PriceSource } from "@/lib/market-data/price-source";
import { SyntheticPricesNotice } from "./synthetic-prices";

/** The marketplace's notice. `now` is when the page is rendered (the labels move with the replay). */
export function PriceSourceNotice({ source, now, className }: { source: PriceSource; now: Date; className?: string }) {
  if (source.kind === "synthetic") return <SyntheticPricesNotice className={className} />;
  if (source.kind === "replay" && !source.series.length) return null;
  const text = priceSourceNotice(source, now.getTime());
  if (source.kind === "ccxt") {
    return (
      <p role="note" className={cn("text-sm text-slate-500", className)}>
        {text.title}
      </p>
    );
  }
  return (
    <p
      role="note"
      data-testid="price-source"
      className={cn(
        "flex items-start gap-2 rounded-md border px-4 py-3 text-sm",
        text.warn ? "border-amber-300 bg-amber-50 text-amber-900" : "border-sky-200 bg-sky-50 text-sky-900",
        className,
      )}
    >
      <ClockIcon />
      <span>
        <strong className="font-semibold">{text.title}</strong> {text.body}
      </span>
    </p>
  );
}

/**
 * Under a provider's chart: where each instrument's prices come from, in the order given (most traded first).
 * Each line's tooltip says which recorded day is today and when the recording runs out.
 */
export function InstrumentPriceSources({ source, symbols, now, className }: { source: PriceSource; symbols: readonly string[]; now: Date; className?: string }) {
  const lines = instrumentPriceLabels(source, symbols, now.getTime());
  if (!lines.length) return null;
  return (
    <div className={cn("text-xs text-slate-500", className)} data-testid="instrument-price-sources">
      <span className="font-medium text-slate-600">Prices:</span>
      <ul className="mt-0.5 space-y-0.5">
        {lines.map((l) => (
          <li key={l.symbol ?? "all"} title={l.detail}>
            {l.label}
            <span className="sr-only">. {l.detail}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ClockIcon() {
  return (
    <svg viewBox="0 0 20 20" className="mt-0.5 size-4 shrink-0" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <circle cx="10" cy="10" r="7.5" />
      <path d="M10 5.5V10l3 2" />
    </svg>
  );
}
