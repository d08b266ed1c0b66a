"use client";

/**
 * The heatmap of a two-parameter optimisation (issue 20): the first parameter across, the second up, each cell the
 * best objective value of the trials in it on a diverging scale around the objective's neutral value; cells every
 * constraint excludes hatched, cells without a value grey, cells not tried yet blank. A plain CSS grid (hundreds of
 * cells, no canvas needed). For assistive technology it is one image whose label names the best cell; hovering a
 * cell, or focusing the map and moving with the arrow keys, reads the cell out below it (and in its tooltip).
 */
import { useState, type CSSProperties, type KeyboardEvent } from "react";
import { divergingColour, divergingScale, objectiveMidpoint, type Heatmap, type HeatmapCell } from "@/lib/lab/optimize-view";
import { cn } from "@/components/ui/cn";
import { objectiveLabel, objectiveText, paramsText } from "./optimize-format";

/** An axis tick: a binned cell's lowest value (its full range is in the cell's tooltip and readout). */
const tick = (label: string) => label.split("–")[0]!;

const HATCH = "repeating-linear-gradient(45deg, #cbd5e1 0 1.5px, #f8fafc 1.5px 5px)";

function cellText(h: Heatmap, xi: number, yi: number, cell: HeatmapCell, objective: string): string {
  const at = `${h.x.name} ${h.x.labels[xi]}, ${h.y.name} ${h.y.labels[yi]}`;
  switch (cell.state) {
    case "value":
      return `${at}: ${objectiveLabel(objective)} ${objectiveText(cell.value)} (trial ${cell.seq}${cell.trials > 1 ? `, best of ${cell.trials}` : ""})`;
    case "no-value":
      return `${at}: no value (${cell.trials} trial${cell.trials === 1 ? "" : "s"} below the minimum trades or undefined)`;
    case "excluded":
      return `${at}: excluded by the strategy's constraints`;
    case "untried":
      return `${at}: not tried`;
  }
}

export function OptimizeHeatmap({ heatmap: h, objective }: { heatmap: Heatmap; objective: string }) {
  const scale = divergingScale(h.min, h.max, objectiveMidpoint(objective));
  // The legend's gradient: through the neutral colour only when the values lie on both sides of it.
  const stops = scale.min < scale.mid && scale.mid < scale.max ? [scale.min, scale.mid, scale.max] : [scale.min, scale.max];
  const cols = h.x.labels.length;
  const rows = h.y.labels.length;
  const [active, setActive] = useState<{ xi: number; yi: number } | null>(null);
  const kx = Math.max(1, Math.ceil(cols / 8));
  const ky = Math.max(1, Math.ceil(rows / 12));
  const cellH = rows <= 12 ? "h-7" : rows <= 24 ? "h-5" : "h-3.5";
  const tried = h.cells.flat().filter((c) => c.state === "value" || c.state === "no-value").length;
  const open = h.cells.flat().filter((c) => c.state !== "excluded").length;
  const summary = h.best
    ? `Heatmap of ${objectiveLabel(objective)} by ${h.x.name} (across) and ${h.y.name} (up): best ${objectiveText(h.best.value)} at ${paramsText(h.best.params, [h.x.name, h.y.name])}; ${tried} of ${open} cells tried.`
    : `Heatmap of ${objectiveLabel(objective)} by ${h.x.name} and ${h.y.name}: no trial has a value yet; ${tried} of ${open} cells tried.`;

  const onKey = (e: KeyboardEvent) => {
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const m = moves[e.key];
    if (!m) return;
    e.preventDefault();
    const from = active ?? (h.best ? { xi: h.best.xi, yi: h.best.yi } : { xi: 0, yi: 0 });
    setActive(active ? { xi: Math.min(cols - 1, Math.max(0, from.xi + m[0])), yi: Math.min(rows - 1, Math.max(0, from.yi + m[1])) } : from);
  };
  const readout = active ? cellText(h, active.xi, active.yi, h.cells[active.yi]![active.xi]!, objective) : "Hover over a cell, or focus the map and use the arrow keys, to read its value.";

  return (
    <figure className="space-y-3">
      <div className="flex gap-2">
        <div className="flex w-4 shrink-0 items-center justify-center" aria-hidden="true">
          <span className="-rotate-90 text-xs font-medium whitespace-nowrap text-slate-600">{h.y.name} →</span>
        </div>
        <div className="min-w-0 flex-1">
          <div
            role="img"
            aria-label={summary}
            tabIndex={0}
            onKeyDown={onKey}
            onFocus={() => setActive((a) => a ?? (h.best ? { xi: h.best.xi, yi: h.best.yi } : { xi: 0, yi: 0 }))}
            onMouseLeave={() => setActive(null)}
            data-testid="heatmap"
            className="grid gap-px rounded focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-brand-600"
            style={{ gridTemplateColumns: `auto repeat(${cols}, minmax(0, 1fr))` }}
          >
            {Array.from({ length: rows }, (_, r) => {
              const yi = rows - 1 - r;
              return [
                <div key={`y${yi}`} className="flex items-center justify-end pr-1.5 text-[10px] leading-none whitespace-nowrap text-slate-500 tabular-nums">
                  {yi % ky === 0 ? tick(h.y.labels[yi]!) : ""}
                </div>,
                ...h.cells[yi]!.map((cell, xi) => {
                  const on = active?.xi === xi && active.yi === yi;
                  const best = h.best?.xi === xi && h.best.yi === yi;
                  return (
                    <div
                      key={`${xi}-${yi}`}
                      title={cellText(h, xi, yi, cell, objective)}
                      onMouseEnter={() => setActive({ xi, yi })}
                      data-state={cell.state}
                      className={cn(cellH, "min-w-0", cell.state === "untried" && "bg-white ring-1 ring-slate-200 ring-inset", cell.state === "no-value" && "bg-slate-300", on && "relative z-10 outline-2 outline-slate-900", best && !on && "relative outline-2 outline-offset-[-2px] outline-amber-400")}
                      style={cell.state === "value" ? { background: divergingColour(cell.value, scale) } : cell.state === "excluded" ? { background: HATCH } : undefined}
                    />
                  );
                }),
              ];
            })}
            <div />
            {h.x.labels.map((label, xi) => (
              <div key={`x${xi}`} className="relative h-4 overflow-visible text-[10px] text-slate-500 tabular-nums">
                {xi % kx === 0 ? <span className="absolute top-0.5 left-1/2 -translate-x-1/2 whitespace-nowrap">{tick(label)}</span> : null}
              </div>
            ))}
          </div>
          <p className="mt-2 text-center text-xs font-medium text-slate-600" aria-hidden="true">
            {h.x.name} →
          </p>
        </div>
      </div>
      <p className="min-h-5 text-sm text-slate-700" aria-live="polite" data-testid="heatmap-readout">
        {readout}
      </p>
      <figcaption className="flex flex-wrap items-center gap-x-5 gap-y-2 text-xs text-slate-600">
        <span className="flex items-center gap-2">
          <span className="tabular-nums">{objectiveText(scale.min)}</span>
          <span className="h-2.5 w-32 rounded-sm" aria-hidden="true" style={{ background: `linear-gradient(to right, ${stops.map((v) => divergingColour(v, scale)).join(", ")})` }} />
          <span className="tabular-nums">{objectiveText(scale.max)}</span>
          <span className="text-slate-500">({objectiveLabel(objective)}; neutral {scale.mid})</span>
        </span>
        <Swatch className="outline-2 outline-offset-[-2px] outline-amber-400">Best cell</Swatch>
        <Swatch className="bg-slate-300">No value (too few trades)</Swatch>
        <Swatch style={{ background: HATCH }}>Excluded by a constraint</Swatch>
        <Swatch className="bg-white ring-1 ring-slate-300 ring-inset">Not tried</Swatch>
        {h.x.binSize > 1 || h.y.binSize > 1 ? <span>Neighbouring values share a cell (its best trial shows).</span> : null}
      </figcaption>
    </figure>
  );
}

function Swatch({ className, style, children }: { className?: string; style?: CSSProperties; children: string }) {
  return (
    <span className="flex items-center gap-1.5">
      <span className={cn("inline-block size-3 rounded-sm", className)} style={style} aria-hidden="true" />
      {children}
    </span>
  );
}
