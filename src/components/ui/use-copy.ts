"use client";

import { useEffect, useState, type RefObject } from "react";

/**
 * Copy a text to the clipboard, with what to say about it (for an aria-live span beside the button). Where the
 * Clipboard API is missing or refuses (plain http, old browser), the element in `selectOnFail` is selected instead
 * so Ctrl/Cmd+C works. The word clears after 2.5 seconds.
 */
export function useCopy(selectOnFail: RefObject<HTMLElement | null>): { copy: (text: string) => void; copyStatus: string } {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(null), 2500);
    return () => window.clearTimeout(t);
  }, [copied]);
  const copy = (text: string) => {
    const fail = () => {
      if (selectOnFail.current) window.getSelection()?.selectAllChildren(selectOnFail.current);
      setCopied("failed");
    };
    if (navigator.clipboard?.writeText) navigator.clipboard.writeText(text).then(() => setCopied("yes"), fail);
    else fail();
  };
  return { copy, copyStatus: copied === "yes" ? "Copied" : copied === "failed" ? "Selected: press Ctrl+C to copy" : "" };
}
