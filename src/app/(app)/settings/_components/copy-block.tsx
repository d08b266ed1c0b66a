"use client";

import { useRef, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { useCopy } from "@/components/ui/use-copy";

/** A read-only block of code or a secret with a copy button; says "Copied" to screen readers too. */
export function CopyBlock({ label, value, display, testId }: { label: string; value: string; display?: ReactNode; testId?: string }) {
  const preRef = useRef<HTMLPreElement>(null);
  const { copy, copyStatus } = useCopy(preRef);
  return (
    <div className="overflow-hidden rounded-md border border-slate-200">
      <div className="flex items-center justify-between gap-3 border-b border-slate-200 bg-slate-50 px-3 py-1.5">
        <span className="text-xs font-medium text-slate-600">{label}</span>
        <span className="flex items-center gap-2">
          <span className="text-xs text-slate-500" aria-live="polite">
            {copyStatus}
          </span>
          <Button type="button" variant="secondary" size="sm" className="h-7" onClick={() => copy(value)} aria-label={`Copy ${label.toLowerCase()}`}>
            Copy
          </Button>
        </span>
      </div>
      <pre ref={preRef} data-testid={testId} className="overflow-x-auto bg-white px-3 py-2.5 font-mono text-xs leading-relaxed text-slate-800">
        <code>{display ?? value}</code>
      </pre>
    </div>
  );
}
