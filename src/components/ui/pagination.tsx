import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClass } from "./button";
import { cn } from "./cn";

export interface PaginationProps {
  page: number;
  totalPages: number;
  hrefFor: (page: number) => string;
  prevLabel?: string;
  nextLabel?: string;
  className?: string;
  /** The navigation landmark's name; two pagers on one page need different ones. */
  label?: string;
}

/**
 * The page count for `total` items at `pageSize` a page (at least 1), and the last page when `page` lies beyond it
 * (a list that shrank under a bookmarked URL: the caller redirects there), else null.
 */
export function pageCount(total: number, pageSize: number, page: number): { totalPages: number; beyond: number | null } {
  const totalPages = Math.max(1, Math.ceil(total / pageSize));
  return { totalPages, beyond: total > 0 && page > totalPages ? totalPages : null };
}

/** Previous/next links that work without JavaScript; the ends render as disabled spans, not dead links. */
export function Pagination({ page, totalPages, hrefFor, prevLabel = "Previous", nextLabel = "Next", className, label = "Pagination" }: PaginationProps) {
  if (totalPages <= 1) return null;
  const step = (target: number, enabled: boolean, rel: "prev" | "next", children: ReactNode) =>
    enabled ? (
      <Link href={hrefFor(target)} rel={rel} className={buttonClass("secondary", "sm")}>
        {children}
      </Link>
    ) : (
      <span aria-disabled="true" className={buttonClass("secondary", "sm", "pointer-events-none opacity-50")}>
        {children}
      </span>
    );
  return (
    <nav aria-label={label} className={cn("mt-6 flex items-center justify-between gap-4", className)}>
      {step(page - 1, page > 1, "prev", <><span aria-hidden="true">←</span> {prevLabel}</>)}
      <p className="text-sm text-slate-600">
        Page <span className="font-medium text-slate-900">{page}</span> of <span className="font-medium text-slate-900">{totalPages}</span>
      </p>
      {step(page + 1, page < totalPages, "next", <>{nextLabel} <span aria-hidden="true">→</span></>)}
    </nav>
  );
}
