import { ButtonLink } from "@/components/ui/button";

export default function ProviderNotFound() {
  return (
    <div className="flex flex-col items-center px-4 py-16 text-center">
      <span className="flex size-14 items-center justify-center rounded-full bg-slate-100 text-slate-500" aria-hidden="true">
        <svg viewBox="0 0 24 24" className="size-7" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round">
          <path d="M4 4h16l1 5a3 3 0 0 1-6 0 3 3 0 0 1-6 0 3 3 0 0 1-6 0zM5 12v8h14v-8" />
        </svg>
      </span>
      <p className="mt-5 text-sm font-semibold text-brand-700">404</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">We couldn&rsquo;t find that provider</h1>
      <p className="mt-2 max-w-md text-sm text-slate-600">
        The link may be mistyped or out of date. Search the marketplace by name or strategy to find the provider you were looking
        for.
      </p>
      <div className="mt-6 flex flex-col gap-3 sm:flex-row">
        <ButtonLink href="/providers">Browse the marketplace</ButtonLink>
        <ButtonLink href="/" variant="secondary">
          Go to the home page
        </ButtonLink>
      </div>
    </div>
  );
}
