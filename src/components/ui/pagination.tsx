import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClass } from "./button";

/** Previous/next links that work without JavaScript; the ends render as disabled spans, not dead links. */
export function Pagination({
  page,
  totalPages,
  hrefFor,
  prevLabel = "Previous",
  nextLabel = "Next",
}: {
  page: number;
  totalPages: number;
  hrefFor: (page: number) => string;
  prevLabel?: string;
  nextLabel?: string;
}) {
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
    <nav aria-label="Pagination" className="mt-6 flex items-center justify-between gap-4">
      {step(page - 1, page > 1, "prev", <><span aria-hidden="true">←</span> {prevLabel}</>)}
      <p className="text-sm text-slate-600">
        Page <span className="font-medium text-slate-900">{page}</span> of <span className="font-medium text-slate-900">{totalPages}</span>
      </p>
      {step(page + 1, page < totalPages, "next", <>{nextLabel} <span aria-hidden="true">→</span></>)}
    </nav>
  );
}
