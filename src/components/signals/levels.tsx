import type { ReactNode } from "react";
import { cn } from "@/components/ui/cn";
import { formatPrice, formatShare } from "./format";

export interface SignalLevelsData {
  entryType: "market" | "limit";
  entryPrice: string;
  fillPrice?: string | null;
  initialStop: string | null;
  stopLoss: string | null;
  takeProfits: { price: string; share: string }[];
}

function Item({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  return (
    <div className={cn("min-w-0", className)}>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-mono text-sm text-slate-900 tabular-nums">{children}</dd>
    </div>
  );
}

/** Entry, stop and targets of a signal as a compact description list; prices exactly as recorded. */
export function SignalLevels({ signal, precision, className }: { signal: SignalLevelsData; precision?: number; className?: string }) {
  const moved = signal.initialStop && signal.stopLoss && signal.initialStop !== signal.stopLoss;
  return (
    <dl className={cn("grid grid-cols-2 gap-x-6 gap-y-2 sm:grid-cols-[repeat(3,minmax(0,max-content))]", className)}>
      <Item label={signal.entryType === "limit" ? "Limit entry" : "Entry"}>
        {formatPrice(signal.entryPrice, precision)}
        {signal.fillPrice && signal.fillPrice !== signal.entryPrice ? (
          <span className="ml-1.5 font-sans text-xs text-slate-500">
            filled <span className="font-mono">{formatPrice(signal.fillPrice, precision)}</span>
          </span>
        ) : null}
      </Item>
      <Item label={moved ? "Stop (moved)" : "Stop-loss"}>
        {signal.stopLoss ? formatPrice(signal.stopLoss, precision) : <span className="font-sans text-slate-500">None</span>}
        {moved ? (
          <span className="ml-1.5 font-sans text-xs text-slate-500">
            from <span className="font-mono line-through">{formatPrice(signal.initialStop, precision)}</span>
          </span>
        ) : null}
      </Item>
      <Item label={signal.takeProfits.length > 1 ? "Targets" : "Target"} className="col-span-2 sm:col-span-1">
        {signal.takeProfits.length ? (
          <ul className="flex flex-wrap gap-x-3 gap-y-0.5">
            {signal.takeProfits.map((tp, i) => (
              <li key={i}>
                {formatPrice(tp.price, precision)} <span className="font-sans text-xs text-slate-500">({formatShare(tp.share)})</span>
              </li>
            ))}
          </ul>
        ) : (
          <span className="font-sans text-slate-500">None</span>
        )}
      </Item>
    </dl>
  );
}
