import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

/** An admin filter form's buttons: Apply, Clear (back to the unfiltered page, while a filter is on), then any extra. */
export function FilterButtons({ clearHref, className, children }: { clearHref: string | null; className?: string; children?: ReactNode }) {
  return (
    <div className={cn("flex gap-2", className)}>
      <button type="submit" className={buttonClass("primary", "md")}>
        Apply
      </button>
      {clearHref ? (
        <Link href={clearHref} className={buttonClass("ghost", "md")}>
          Clear
        </Link>
      ) : null}
      {children}
    </div>
  );
}
