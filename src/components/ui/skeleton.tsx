import { cn } from "./cn";

/**
 * Placeholder rows while a list loads: `rows` items of grey bars, one bar per entry of `bars` (its Tailwind height
 * and width classes), hidden from assistive technology (the list's own status line says it is loading).
 */
export function ListSkeleton({ rows = 3, bars }: { rows?: number; bars: readonly string[] }) {
  return (
    <ul aria-hidden="true" className="divide-y divide-slate-100">
      {Array.from({ length: rows }, (_, i) => (
        <li key={i} className="animate-pulse space-y-3 px-5 py-4">
          {bars.map((size, j) => (
            <div key={j} className={cn("rounded bg-slate-100", size)} />
          ))}
        </li>
      ))}
    </ul>
  );
}
