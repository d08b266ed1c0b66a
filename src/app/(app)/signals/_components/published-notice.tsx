"use client";

import type { Ref } from "react";
import { Alert } from "@/components/ui/card";
import { Button } from "@/components/ui/button";

export interface Published {
  number: number;
  symbol: string;
  side: "long" | "short";
  entryType: "market" | "limit";
  entryPrice: string;
  precision?: number;
  created: boolean;
}

/** Says what was just published (or that the submission repeated one already published); takes focus when shown. */
export function PublishedNotice({ published, onDismiss, ref }: { published: Published; onDismiss: () => void; ref?: Ref<HTMLDivElement> }) {
  return (
    <div ref={ref} tabIndex={-1} className="px-5 pb-5 outline-none">
      <Alert tone="success" className="flex flex-wrap items-center justify-between gap-3">
        <span>
          {published.created ? (
            <>
              <strong>Signal #{published.number} published:</strong>{" "}
            </>
          ) : (
            <>
              <strong>Signal #{published.number} was already published</strong> (this submission was a repeat):{" "}
            </>
          )}
          {published.side === "long" ? "long" : "short"} {published.symbol}{" "}
          {published.entryType === "market" ? (
            <>
              at <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{published.entryPrice}</span>. It is live on your subscribers&apos; dashboards.
            </>
          ) : (
            <>
              with a limit entry at <span className="[&_input]:font-mono [&_input::placeholder]:font-sans">{published.entryPrice}</span>, pending until filled.
            </>
          )}
        </span>
        <Button type="button" variant="ghost" size="sm" onClick={onDismiss}>
          Dismiss
        </Button>
      </Alert>
    </div>
  );
}
