import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { auditCsvHref, KNOWN_AUDIT_ACTIONS, type AuditFilters } from "@/lib/audit-filters";

const input = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30 focus:outline-none";
const label = "block text-sm font-medium text-slate-800";

const dayOf = (d: Date | undefined) => d?.toISOString().slice(0, 10);
/** `to` is held as the instant after the last day (exclusive); the control shows that last day. */
const lastDayOf = (d: Date | undefined) => (d ? new Date(d.getTime() - 86_400_000).toISOString().slice(0, 10) : undefined);

/**
 * The audit page's filters: a plain GET form (the URL is the state, so a filtered view can be linked and the CSV
 * export takes the same query). The action is a text field with the known actions to pick from, so an action not
 * in the list (an older or newer code) can still be typed.
 */
export function AuditFiltersForm({ filters, filtered, capNote }: { filters: AuditFilters; filtered: boolean; capNote: string }) {
  return (
    <form action="/admin/audit" method="get" role="search" aria-label="Filter the audit log" className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-[1.2fr_1.2fr_0.8fr_0.8fr_auto] lg:items-end">
      <div>
        <label htmlFor="audit-actor" className={label}>
          Actor (email)
        </label>
        <input id="audit-actor" name="actor" type="email" defaultValue={filters.actor} maxLength={254} placeholder="ana@example.com" className={input} />
      </div>
      <div>
        <label htmlFor="audit-action" className={label}>
          Action
        </label>
        <input id="audit-action" name="action" list="audit-actions" defaultValue={filters.action} maxLength={100} placeholder="Any action" autoComplete="off" className={`${input} font-mono`} />
        <datalist id="audit-actions">
          {KNOWN_AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <div>
        <label htmlFor="audit-from" className={label}>
          From (UTC)
        </label>
        <input id="audit-from" name="from" type="date" defaultValue={dayOf(filters.from)} className={input} />
      </div>
      <div>
        <label htmlFor="audit-to" className={label}>
          To (UTC)
        </label>
        <input id="audit-to" name="to" type="date" defaultValue={lastDayOf(filters.to)} className={input} />
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={buttonClass("primary", "md")}>
          Apply
        </button>
        {filtered ? (
          <Link href="/admin/audit" className={buttonClass("ghost", "md")}>
            Clear
          </Link>
        ) : null}
        <a href={auditCsvHref(filters)} download className={buttonClass("secondary", "md")} title={capNote}>
          Export CSV
        </a>
      </div>
      <p className="text-xs text-slate-500 sm:col-span-2 lg:col-span-5">{capNote}</p>
    </form>
  );
}
