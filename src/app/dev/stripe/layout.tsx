import type { Metadata } from "next";
import type { ReactNode } from "react";
import { Logo } from "@/components/shell/logo";
import { embeddedOr404 } from "./guard";

export const metadata: Metadata = { title: { default: "Test payments", template: "%s · Test mode · Tradsy" }, robots: { index: false } };
export const dynamic = "force-dynamic";

/** The embedded Stripe stand-in's frame: a banner nobody can miss, then a narrow, Stripe-like page. */
export default async function DevStripeLayout({ children }: { children: ReactNode }) {
  await embeddedOr404();
  return (
    <div className="flex min-h-dvh flex-col bg-slate-100">
      <div role="note" aria-label="Test mode" className="border-b-2 border-amber-500 bg-amber-300 px-4 py-2.5 text-center text-sm text-amber-950">
        <span className="inline-flex items-center gap-2">
          <span aria-hidden="true" className="rounded bg-amber-950 px-1.5 py-0.5 text-[11px] font-bold tracking-wide text-amber-200 uppercase">
            Test
          </span>
          <span>
            <strong className="font-semibold">Test mode — no money moves.</strong> This page stands in for Stripe.
          </span>
        </span>
      </div>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-2xl items-center justify-between px-4">
          <Logo href="/dashboard" />
          <span className="text-xs font-medium text-slate-500">Payments stand-in</span>
        </div>
      </header>
      <main id="main" className="flex-1 px-4 py-8 sm:py-12">
        <div className="mx-auto max-w-2xl">{children}</div>
      </main>
    </div>
  );
}
