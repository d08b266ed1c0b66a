import { buttonClass } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { auditCsvHref, KNOWN_AUDIT_ACTIONS, type AuditFilters } from "@/lib/audit-filters";
import { FilterButtons } from "../_components/filter-buttons";

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
      <TextField label="Actor (email)" name="actor" type="email" defaultValue={filters.actor} maxLength={254} placeholder="ana@example.com" />
      <div>
        <TextField label="Action" name="action" list="audit-actions" defaultValue={filters.action} maxLength={100} placeholder="Any action" autoComplete="off" className="[&_input]:font-mono" />
        <datalist id="audit-actions">
          {KNOWN_AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
      </div>
      <TextField label="From (UTC)" name="from" type="date" defaultValue={dayOf(filters.from)} />
      <TextField label="To (UTC)" name="to" type="date" defaultValue={lastDayOf(filters.to)} />
      <FilterButtons clearHref={filtered ? "/admin/audit" : null} className="flex-wrap">
        <a href={auditCsvHref(filters)} download className={buttonClass("secondary", "md")} title={capNote}>
          Export CSV
        </a>
      </FilterButtons>
      <p className="text-xs text-slate-500 sm:col-span-2 lg:col-span-5">{capNote}</p>
    </form>
  );
}
