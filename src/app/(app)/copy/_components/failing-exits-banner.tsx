"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import { REFRESH_MS } from "./live";
import type { FailingExitItem } from "./types";

const RETRYING = "retrying: ";
/** The exchange's last words, without our "retrying: " prefix or a closing full stop (the sentence adds its own). */
const lastWords = (e: FailingExitItem) => ((e.lastError?.startsWith(RETRYING) ? e.lastError.slice(RETRYING.length) : e.lastError) || "no answer from the exchange").replace(/\.\s*$/, "");

/**
 * The red banner for exits that keep failing on an exchange (services/copy/alerts.ts): shown at the top of the copy
 * page and of a control centre while any is still failing, kept current by the copy stream (useCopyLive re-reads
 * every copy query) and a slow poll. Renders nothing when every exit went through.
 */
export function FailingExitsBanner() {
  const trpc = useTRPC();
  const failing = useQuery(trpc.copy.failingExits.queryOptions(undefined, { refetchInterval: REFRESH_MS * 2 }));
  const exits = failing.data ?? [];
  if (!exits.length) return null;
  return (
    <div role="alert" aria-labelledby="failing-exits-title" className="mb-6 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900" data-testid="failing-exits">
      <p id="failing-exits-title" className="font-semibold">
        {exits.length === 1 ? "An exit keeps failing on your exchange" : `${exits.length} exits keep failing on your exchanges`}
      </p>
      <ul className="mt-2 space-y-2">
        {exits.map((e) => (
          <li key={e.orderId} className="break-words">
            Closing {e.symbol}
            {e.providerName ? ` (${e.providerName})` : ""} on <span className="font-medium">{e.connectionLabel ?? "your exchange connection"}</span> keeps failing ({e.attempts}{" "}
            attempts): {lastWords(e)}. Tradsy keeps retrying; check the account on the exchange (balance, key permissions) or close the position there yourself.{" "}
            <Link href={`/copy/connections/${e.connectionId}`} className="font-medium text-red-900 underline hover:text-red-700">
              Open {e.connectionLabel ?? "the connection"}&rsquo;s control centre
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
