import type { ComponentProps } from "react";
import { cn } from "./cn";

/**
 * shadcn/ui-style table parts on plain HTML table elements (they render on the server). `framed` draws the bordered,
 * rounded card the list pages use; without it the table sits flush inside its parent (a Card, say). The wrapper
 * scrolls sideways on narrow screens, so give wide tables a min-width (e.g. `className="min-w-[48rem]"`).
 */
export function Table({
  className,
  framed = false,
  containerClassName,
  containerProps,
  ...props
}: ComponentProps<"table"> & {
  framed?: boolean;
  containerClassName?: string;
  /** Attributes for the scrolling wrapper (e.g. role="region", aria-label and tabIndex={0} so keyboards can scroll it). */
  containerProps?: Omit<ComponentProps<"div">, "className" | "children">;
}) {
  return (
    <div
      data-slot="table-container"
      {...containerProps}
      className={cn("relative w-full overflow-x-auto", framed && "rounded-lg border border-slate-200 bg-white shadow-xs", containerClassName)}
    >
      <table data-slot="table" className={cn("w-full text-left text-sm", className)} {...props} />
    </div>
  );
}

export function TableHeader({ className, ...props }: ComponentProps<"thead">) {
  return (
    <thead
      data-slot="table-header"
      className={cn("border-b border-slate-200 bg-slate-50 text-xs font-semibold tracking-wide text-slate-500 uppercase", className)}
      {...props}
    />
  );
}

export function TableBody({ className, ...props }: ComponentProps<"tbody">) {
  return <tbody data-slot="table-body" className={cn("divide-y divide-slate-100", className)} {...props} />;
}

export function TableFooter({ className, ...props }: ComponentProps<"tfoot">) {
  return <tfoot data-slot="table-footer" className={cn("border-t border-slate-200 bg-slate-50 font-medium", className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<"tr">) {
  return <tr data-slot="table-row" className={cn("transition-colors data-[state=selected]:bg-brand-50", className)} {...props} />;
}

/** A header cell; `scope="col"` unless told otherwise (pass `scope="row"` for row headers). */
export function TableHead({ className, scope = "col", ...props }: ComponentProps<"th">) {
  return <th data-slot="table-head" scope={scope} className={cn("px-4 py-3 align-middle whitespace-nowrap", className)} {...props} />;
}

export function TableCell({ className, ...props }: ComponentProps<"td">) {
  return <td data-slot="table-cell" className={cn("px-4 py-3", className)} {...props} />;
}

/** The table's accessible name. Pass `className="sr-only"` to keep it for screen readers only. */
export function TableCaption({ className, ...props }: ComponentProps<"caption">) {
  return <caption data-slot="table-caption" className={cn("mt-4 caption-bottom text-sm text-slate-500", className)} {...props} />;
}
