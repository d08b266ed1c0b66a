import Link from "next/link";
import { cn } from "@/components/ui/cn";
import { formatCount } from "@/lib/format/numbers";
import { firstParam, type SearchParams } from "@/lib/search-params";

/**
 * The profile's sections as tabs in the URL (`?tab=history&history=3`): server-rendered links, so each works without
 * JavaScript, can be shared, and only the open section's data is read and sent. The overview (chart, figures, bio)
 * is the default; the long signal history and the method notes each have their own tab, reachable from the top of
 * the page instead of 3,000 px below it.
 */
export const PROFILE_TABS = ["overview", "history", "method"] as const;
export type ProfileTab = (typeof PROFILE_TABS)[number];

/** Each tab's name; `short` stands in on phones, where the three must fit side by side. */
const TAB_LABEL: Record<ProfileTab, { full: string; short?: string }> = {
  overview: { full: "Overview" },
  history: { full: "Signal history", short: "History" },
  method: { full: "Methodology" },
};

/** The open tab; a history page number alone (`?history=2`, the URLs of before the tabs) means the history tab. */
export function profileTab(sp: SearchParams): ProfileTab {
  const tab = firstParam(sp.tab);
  if (tab === "history" || tab === "method") return tab;
  if (!tab && firstParam(sp.history) !== undefined) return "history";
  return "overview";
}

/** A tab's canonical URL: the overview has no query, history page 1 no page number. */
export function profileHref(slug: string, tab: ProfileTab, historyPage = 1): string {
  const path = `/providers/${slug}`;
  if (tab === "overview") return path;
  const qs = new URLSearchParams({ tab });
  if (tab === "history" && historyPage > 1) qs.set("history", String(historyPage));
  return `${path}?${qs}`;
}

export function ProfileTabs({ slug, active, historyTotal }: { slug: string; active: ProfileTab; historyTotal: number }) {
  return (
    <nav aria-label="Profile sections" className="border-b border-slate-200">
      <ul className="-mb-px flex gap-1 overflow-x-auto sm:gap-4">
        {PROFILE_TABS.map((tab) => {
          const current = tab === active;
          return (
            <li key={tab} className="shrink-0">
              <Link
                href={profileHref(slug, tab)}
                scroll={false}
                aria-current={current ? "page" : undefined}
                className={cn(
                  "inline-flex items-center gap-2 border-b-2 px-2 py-2.5 text-sm font-medium whitespace-nowrap transition-colors",
                  current ? "border-brand-700 text-slate-900" : "border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900",
                )}
              >
                {TAB_LABEL[tab].short ? (
                  <>
                    <span className="sm:hidden">{TAB_LABEL[tab].short}</span>
                    <span className="hidden sm:inline">{TAB_LABEL[tab].full}</span>
                  </>
                ) : (
                  TAB_LABEL[tab].full
                )}
                {tab === "history" ? (
                  <span className={cn("rounded-full px-2 py-0.5 text-xs tabular-nums", current ? "bg-brand-50 text-brand-800" : "bg-slate-100 text-slate-600")}>
                    {formatCount(historyTotal)}
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
