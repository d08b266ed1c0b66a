import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";

/** An outbox id that names no email (page.tsx calls notFound()): a 404 inside the admin layout, with the way back. */
export default function EmailNotFound() {
  return (
    <>
      <Link href="/admin/emails" className="inline-flex items-center gap-1 text-sm font-medium text-slate-600 hover:text-slate-900">
        <span aria-hidden="true">←</span> Email outbox
      </Link>
      <div className="mt-6">
        <EmptyState
          title="Email not found"
          action={
            <Link href="/admin/emails" className={buttonClass("secondary", "md")}>
              Back to the outbox
            </Link>
          }
        >
          No email in the outbox has this id. It may have been mistyped.
        </EmptyState>
      </div>
    </>
  );
}
