/**
 * The label a demo on synthetic prices carries wherever track-record figures are shown (marketplace cards and
 * notice, provider profile): figures computed on a generated random walk must never pass for a market record.
 */
import { cn } from "@/components/ui/cn";

const EXPLANATION =
  "This demo had neither recorded candles nor an exchange connection when it was seeded, so its signals and figures were computed on a generated random walk, not on a real market.";

export function SyntheticPricesBadge({ className }: { className?: string }) {
  return (
    <span
      title={EXPLANATION}
      className={cn(
        "inline-flex shrink-0 items-center gap-1 rounded-full bg-amber-50 px-2 py-0.5 text-xs font-semibold text-amber-900 ring-1 ring-amber-300",
        className,
      )}
    >
      <WarningIcon />
      Synthetic prices — demo data
    </span>
  );
}

export function SyntheticPricesNotice({ className }: { className?: string }) {
  return (
    <p role="note" className={cn("flex items-start gap-2 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900", className)}>
      <WarningIcon className="mt-0.5 size-4" />
      <span>
        <strong className="font-semibold">Synthetic prices — demo data.</strong> {EXPLANATION} The signals, hash chain and figures are
        produced exactly as for live data; the prices are not real. Seed again with recorded candles or network access for real ones.
      </span>
    </p>
  );
}

function WarningIcon({ className = "size-3.5" }: { className?: string }) {
  return (
    <svg viewBox="0 0 20 20" className={cn("shrink-0", className)} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M10 3l7.5 13h-15z" />
      <path d="M10 8.5v3.5M10 14.5h.01" />
    </svg>
  );
}
