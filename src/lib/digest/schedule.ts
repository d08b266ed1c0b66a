/**
 * When digests go out, as pure calendar arithmetic: a user's local date and hour in their IANA time zone
 * (Intl.DateTimeFormat, so daylight saving comes from the platform's tz database), the ISO week of the weekly digest
 * and the previous calendar month of the monthly report. Shared by the digest jobs and their tests.
 */

/** The local calendar date (YYYY-MM-DD) and hour (0–23) of `at` in `timeZone`; an unknown zone reads as UTC. */
export function localDateHour(at: Date, timeZone: string): { date: string; hour: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter(timeZone).formatToParts(at);
  } catch {
    parts = formatter("UTC").formatToParts(at);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
  // Some engines write midnight as hour "24" with hourCycle h23 unset; normalise it.
  const hour = Number(get("hour")) % 24;
  return { date: `${get("year")}-${get("month")}-${get("day")}`, hour };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The start of the UTC hour `at` falls in: the tick a cron run belongs to, however late it started. */
export function hourStart(at: Date): Date {
  const d = new Date(at);
  d.setUTCMinutes(0, 0, 0);
  return d;
}

/** Whether the daily digest of someone at `digestHour` in `timeZone` is due in the hour starting at `tick`. */
export function isDigestHour(tick: Date, timeZone: string, digestHour: number): boolean {
  return localDateHour(tick, timeZone).hour === digestHour;
}

/**
 * The zones whose local hour at `tick` is `hour`, out of `zones`: the daily digest selects users by (zone, hour)
 * pairs computed here once per zone rather than per user.
 */
export function localHoursByZone(tick: Date, zones: readonly string[]): Map<string, { date: string; hour: number }> {
  return new Map(zones.map((z) => [z, localDateHour(tick, z)]));
}

/** ISO 8601 week of `at` (UTC): "2026-W49". Weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(at: Date): string {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The calendar month before `at` (UTC): its first instant, the next month's first instant and "2026-11". */
export function previousMonth(at: Date): { start: Date; end: Date; key: string; label: string } {
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
  const key = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, "0")}`;
  const label = new Intl.DateTimeFormat("en-US", { month: "long", year: "numeric", timeZone: "UTC" }).format(start);
  return { start, end, key, label };
}
