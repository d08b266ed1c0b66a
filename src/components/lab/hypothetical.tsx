/** The label every backtest result carries: a simulation over past prices, never a live record. */
export function HypotheticalLabel({ className = "" }: { className?: string }) {
  return (
    <p data-testid="hypothetical-label" className={`rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm font-medium text-amber-900 ${className}`}>
      Hypothetical backtest — not a live record. Simulated fills on past prices; real trading differs.
    </p>
  );
}
