import Link from "next/link";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";

/** An optimisation id that names none of the user's runs (page.tsx calls notFound()): a 404 inside the app shell. */
export default function OptimizationNotFound() {
  return (
    <>
      <Link href="/lab/optimize" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Optimise
      </Link>
      <div className="mt-6">
        <EmptyState
          title="Optimisation not found"
          action={
            <ButtonLink href="/lab/optimize" variant="secondary">
              Your optimisations
            </ButtonLink>
          }
        >
          No optimisation of yours has this id. It may have been mistyped, or it belongs to another account.
        </EmptyState>
      </div>
    </>
  );
}
