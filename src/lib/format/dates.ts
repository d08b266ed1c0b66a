/**
 * Every date and time the app prints, formatted in one place. Pure: server components, client components, emails and
 * services use the same functions, so a page rendered on the server and hydrated in the browser prints the same text.
 *
 * Everything is in UTC (the unit track records and billing periods are computed in) except `formatLocalClock`, which
 * is the viewer's own clock. Callers that want the zone named add " UTC" themselves, except the `formatUtc…`
 * functions, which include it. Each formatter is built once: building an Intl.DateTimeFormat is the costly part.
 */

/** A Date or epoch milliseconds (what Intl.DateTimeFormat#format accepts). */
export type DateInput = Date | number;

const utc = (options: Intl.DateTimeFormatOptions, locale = "en-US") => new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });

const date = utc({ dateStyle: "medium" });
const longDate = utc({ dateStyle: "long" });
const monthYear = utc({ month: "long", year: "numeric" });
const dateTime = utc({ dateStyle: "medium", timeStyle: "short" });
const dateTime24 = utc({ dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });
const dateTimeSeconds = utc({ dateStyle: "medium", timeStyle: "medium" });
const clock = utc({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const monthDayTime = utc({ month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dateGB = utc({ day: "numeric", month: "short", year: "numeric" }, "en-GB");
// No timeZone: the viewer's own zone, resolved when the module loads (in the browser, where it is used).
const localClock = new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "Nov 13, 2026" */
export const formatDate = (d: DateInput): string => date.format(d);

/** "November 13, 2026" */
export const formatDateLong = (d: DateInput): string => longDate.format(d);

/** "November 2026" */
export const formatMonthYear = (d: DateInput): string => monthYear.format(d);

/** "Nov 13, 2026, 2:05 PM" */
export const formatDateTime = (d: DateInput): string => dateTime.format(d);

/** "Nov 13, 2026, 2:05:09 PM" */
export const formatDateTimeSeconds = (d: DateInput): string => dateTimeSeconds.format(d);

/** "14:05:09" (24-hour, UTC) */
export const formatClock = (d: DateInput): string => clock.format(d);

/** "14:05" on the viewer's own clock (24-hour, their time zone). */
export const formatLocalClock = (d: DateInput): string => localClock.format(d);

/** "Nov 13, 2026, 14:05 UTC" (24-hour) */
export const formatUtcDateTime = (d: DateInput): string => `${dateTime24.format(d)} UTC`;

/** "Nov 13, 14:05 UTC": compact, for times within the year on screen. */
export const formatUtcMonthDayTime = (d: DateInput): string => `${monthDayTime.format(d)} UTC`;

/** "13 Nov 2026": the British order the billing emails use. */
export const formatDateGB = (d: DateInput): string => dateGB.format(d);
