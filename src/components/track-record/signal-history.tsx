import Link from "next/link";
import type { ReactNode } from "react";
import { Pagination } from "@/components/ui/pagination";
import { cn } from "@/components/ui/cn";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { exitReasonLabel } from "@/lib/labels";
import { hashPrefix, percent, price, rMultiple, toneClass, utcDateTime, utcStamp, type Figure } from "./format";
import type { SignalLevels } from "./types";

/**
 * A provider's finished signals (closed, cancelled, expired), newest close first: a table on wide screens, a
 * compact list in narrow cards. Server-rendered and paginated through links (above and below the page of rows), so
 * it works without JavaScript; the caller reads one page of rows, never the whole history.
 */
export function SignalHistory({
  items,
  page,
  totalPages,
  total,
  hrefFor,
  verifyHref,
}: {
  items: SignalLevels[];
  page: number;
  totalPages: number;
  total: number;
  hrefFor: (page: number) => string;
  verifyHref: string;
}) {
  return (
    // The table needs about 42rem; narrower cards (phones, the signed-in shell's column) get the compact list.
    <div className="@container">
      <Pagination page={page} totalPages={totalPages} hrefFor={hrefFor} prevLabel="Newer" nextLabel="Older" label="Signal history pages" className="mt-0 mb-4" />
      <Table
        containerClassName="hidden @2xl:block"
        containerProps={{ role: "region", "aria-label": "Signal history table", tabIndex: 0 }}
      >
        <TableCaption className="sr-only">
          Finished signals, newest close first (page {page} of {totalPages}, {total} in all). Results are after fees; times are UTC.
        </TableCaption>
        <TableHeader className="bg-transparent font-medium">
          <TableRow>
            <Th>Signal</Th>
            <Th>Market</Th>
            <Th align="right">Entry</Th>
            <Th align="right">Exit</Th>
            <Th align="right">Result</Th>
            <Th align="right">R</Th>
            <Th>Opened / closed (UTC)</Th>
            <Th>Exit</Th>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.map((s) => {
            const result = s.status === "closed" ? percent(s.resultPct) : null;
            return (
              <TableRow key={s.number} className="align-top">
                <Td>
                  <span className="font-medium text-slate-900 tabular-nums">#{s.number}</span>
                  <HashLink hash={s.hash} href={verifyHref} />
                </Td>
                <Td>
                  <span className="font-medium text-slate-900">{s.symbol}</span>
                  <SideLabel side={s.side} />
                </Td>
                <Td className="text-right text-slate-700 tabular-nums">{price(s.fillPrice ?? s.entryPrice)}</Td>
                <Td className="text-right text-slate-700 tabular-nums">{s.exitPrice ? price(s.exitPrice) : "—"}</Td>
                <Td className="text-right">
                  <FigureText figure={result} />
                </Td>
                <Td className="text-right">
                  <FigureText figure={s.status === "closed" ? rMultiple(s.resultR) : null} />
                </Td>
                <Td className="text-xs whitespace-nowrap text-slate-500 tabular-nums">
                  <span className="block">{s.filledAt ? utcStamp(s.filledAt) : <>Not filled</>}</span>
                  <span className="block">{s.closedAt ? utcStamp(s.closedAt) : "—"}</span>
                </Td>
                <Td className="pr-0 whitespace-nowrap text-slate-600">
                  <ExitBadge status={s.status} reason={s.exitReason} />
                </Td>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>

      <ul className="divide-y divide-slate-100 @2xl:hidden" aria-label="Signal history">
        {items.map((s) => {
          const result = s.status === "closed" ? percent(s.resultPct) : null;
          return (
            <li key={s.number} className="py-3">
              <div className="flex items-baseline justify-between gap-3">
                {/* The symbol gives way on a narrow card, never the side. */}
                <p className="flex min-w-0 items-baseline">
                  <span className="min-w-0 truncate">
                    <span className="font-medium text-slate-900 tabular-nums">#{s.number}</span>{" "}
                    <span className="font-medium text-slate-900">{s.symbol}</span>
                  </span>
                  <span className="shrink-0">
                    <SideLabel side={s.side} />
                  </span>
                </p>
                <p className="shrink-0 text-right">
                  <FigureText figure={result} className="font-semibold" />
                  {s.status === "closed" && s.resultR ? (
                    <span className="ml-2 text-xs text-slate-500 tabular-nums">{rMultiple(s.resultR).text}</span>
                  ) : null}
                </p>
              </div>
              <div className="mt-1 flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-xs text-slate-500">
                <span className="tabular-nums">
                  {price(s.fillPrice ?? s.entryPrice)} <span aria-label="to">→</span> {s.exitPrice ? price(s.exitPrice) : "—"}
                </span>
                <ExitBadge status={s.status} reason={s.exitReason} />
              </div>
              <div className="mt-1 flex flex-wrap items-center justify-between gap-x-3 text-xs text-slate-500">
                <span className="tabular-nums">Closed {s.closedAt ? utcDateTime(s.closedAt) : "—"}</span>
                <HashLink hash={s.hash} href={verifyHref} inline />
              </div>
            </li>
          );
        })}
      </ul>

      <Pagination page={page} totalPages={totalPages} hrefFor={hrefFor} prevLabel="Newer" nextLabel="Older" label="Signal history pages, end of list" />
    </div>
  );
}

function Th({ children, align }: { children: ReactNode; align?: "right" }) {
  return <TableHead className={cn("py-2 pr-3 pl-0 font-medium", align === "right" && "text-right")}>{children}</TableHead>;
}

function Td({ className, children }: { className?: string; children: ReactNode }) {
  return <TableCell className={cn("py-2.5 pr-3 pl-0", className)}>{children}</TableCell>;
}

export function FigureText({ figure, className }: { figure: Figure | null; className?: string }) {
  if (!figure) return <span className="text-slate-400">—</span>;
  return <span className={cn("font-medium tabular-nums", toneClass[figure.tone], className)}>{figure.text}</span>;
}

export function SideLabel({ side }: { side: "long" | "short" }) {
  return (
    <span
      className={cn(
        "ml-2 inline-flex items-center rounded px-1.5 py-0.5 align-middle text-[11px] font-semibold tracking-wide uppercase",
        side === "long" ? "bg-emerald-50 text-emerald-700" : "bg-red-50 text-red-700",
      )}
    >
      {side}
    </span>
  );
}

function ExitBadge({ status, reason }: { status: SignalLevels["status"]; reason: string | null }) {
  if (status !== "closed") return <span className="text-xs font-medium text-slate-500">{status === "cancelled" ? "Cancelled" : "Expired"}</span>;
  return <span className="text-xs font-medium text-slate-600">{exitReasonLabel(reason) ?? "—"}</span>;
}

function HashLink({ hash, href, inline }: { hash: string; href: string; inline?: boolean }) {
  return (
    <Link
      href={href}
      title={`sha256 ${hash}: check it on the verification page`}
      className={cn("font-mono text-[11px] text-slate-500 underline decoration-slate-300 underline-offset-2 hover:text-brand-700", inline ? "" : "mt-0.5 block")}
    >
      <span className="sr-only">Hash </span>
      {hashPrefix(hash)}…
    </Link>
  );
}
