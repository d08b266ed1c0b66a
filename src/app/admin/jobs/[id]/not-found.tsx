import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";

/** A run id that names no run (page.tsx calls notFound()): a 404 inside the admin layout, with the way back. */
export default function JobRunNotFound() {
  return (
    <>
      <Link href="/admin/jobs" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Jobs
      </Link>
      <div className="mt-6">
        <EmptyState
          title="Run not found"
          action={
            <Link href="/admin/jobs" className={buttonClass("secondary", "md")}>
              Back to the runs
            </Link>
          }
        >
          No job run has this id. It may have been mistyped, or the run was finished long enough ago to be pruned
          (after 7 days, 30 for a failed run).
        </EmptyState>
      </div>
    </>
  );
}
