import { Badge } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { SIGNAL_STATUS, type SignalStatusName } from "@/lib/labels";

export type SignalSide = "long" | "short";
export type SignalStatus = SignalStatusName;

/** Long/short with colour and an arrow, so the side never depends on colour alone. */
export function SideBadge({ side, className }: { side: SignalSide; className?: string }) {
  const long = side === "long";
  return (
    <span
      className={cn(
        "inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-semibold",
        long ? "bg-emerald-50 text-emerald-800 ring-1 ring-emerald-200" : "bg-red-50 text-red-800 ring-1 ring-red-200",
        className,
      )}
    >
      <span aria-hidden="true">{long ? "▲" : "▼"}</span>
      {long ? "Long" : "Short"}
    </span>
  );
}

export function StatusBadge({ status }: { status: SignalStatus }) {
  const s = SIGNAL_STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}
