"use client";

import { useEffect } from "react";
import { Logo } from "@/components/shell/logo";
import { Button, ButtonLink } from "@/components/ui/button";

/**
 * Catches render errors below the root layout. The message is never shown: server errors arrive redacted in
 * production anyway, and client errors can carry details we don't want on screen. The digest lets support find the log line.
 */
export default function ErrorBoundary({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;

  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-16 max-w-6xl items-center px-4 sm:px-6">
          <Logo />
        </div>
      </header>
      <main id="main" className="flex flex-1 items-center justify-center px-4 py-16">
        <div className="max-w-lg text-center">
          <span className="mx-auto flex size-12 items-center justify-center rounded-full bg-red-50 text-red-600" aria-hidden="true">
            <svg viewBox="0 0 24 24" className="size-6" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
              <path d="M12 9v4M12 17h.01M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z" />
            </svg>
          </span>
          <h1 className="mt-4 text-2xl font-semibold tracking-tight text-slate-900">Something went wrong</h1>
          <p className="mt-3 text-slate-600">
            We couldn&rsquo;t load this page. This is usually temporary, so trying again often works. If it keeps happening, come back in
            a few minutes.
          </p>
          {digest ? (
            <p className="mt-3 text-xs text-slate-500">
              Reference: <code className="font-mono">{digest}</code>
            </p>
          ) : null}
          <div className="mt-8 flex flex-col justify-center gap-3 sm:flex-row">
            <Button onClick={() => retry()}>Try again</Button>
            <ButtonLink href="/" variant="secondary">
              Go to the home page
            </ButtonLink>
          </div>
        </div>
      </main>
    </div>
  );
}
