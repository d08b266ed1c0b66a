import { describe, expect, it } from "vitest";
import {
  formatClock,
  formatDate,
  formatDateGB,
  formatDateLong,
  formatDateTime,
  formatDateTimeSeconds,
  formatLocalClock,
  formatMonthYear,
  formatUtcDateTime,
  formatUtcMonthDayTime,
} from "./dates";

// 2026-11-13 14:05:09 UTC: afternoon (12- vs 24-hour), single-digit minute, seconds set.
const at = new Date(Date.UTC(2026, 10, 13, 14, 5, 9));
const midnight = Date.UTC(2024, 1, 29, 0, 0, 0);

// Normalise the narrow no-break space newer ICU puts before AM/PM, so the examples read plainly.
const plain = (s: string) => s.replace(/\u202f/g, " ");

describe("date formats", () => {
  it("print the documented examples, in UTC", () => {
    expect(formatDate(at)).toBe("Nov 13, 2026");
    expect(formatDateLong(at)).toBe("November 13, 2026");
    expect(formatMonthYear(at)).toBe("November 2026");
    expect(plain(formatDateTime(at))).toBe("Nov 13, 2026, 2:05 PM");
    expect(plain(formatDateTimeSeconds(at))).toBe("Nov 13, 2026, 2:05:09 PM");
    expect(formatClock(at)).toBe("14:05:09");
    expect(formatUtcDateTime(at)).toBe("Nov 13, 2026, 14:05 UTC");
    expect(formatUtcMonthDayTime(at)).toBe("Nov 13, 14:05 UTC");
    expect(formatDateGB(at)).toBe("13 Nov 2026");
  });

  it("take epoch milliseconds as well as dates, and midnight is 00 on the 24-hour clocks", () => {
    expect(formatDate(midnight)).toBe("Feb 29, 2024");
    expect(formatClock(midnight)).toBe("00:00:00");
    expect(formatUtcDateTime(midnight)).toBe("Feb 29, 2024, 00:00 UTC");
    expect(formatUtcMonthDayTime(midnight)).toBe("Feb 29, 00:00 UTC");
  });

  it("the local clock is the viewer's zone, 24-hour, without seconds", () => {
    const expected = `${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
    expect(formatLocalClock(at)).toBe(expected);
  });

  // The formats replaced ad-hoc formatters at their call sites; each must print what the call site printed before,
  // including the sites whose options were spelled differently but meant the same (checked over 130 years of days).
  it("print exactly what each call site's own formatter printed", () => {
    const utc = (o: Intl.DateTimeFormatOptions, locale = "en-US") => new Intl.DateTimeFormat(locale, { ...o, timeZone: "UTC" });
    const fmt = (f: Intl.DateTimeFormat, suffix = "") => (d: number) => `${f.format(d)}${suffix}`;
    const before: [string, (d: number) => string, (d: number) => string][] = [
      ["dateStyle medium", formatDate, fmt(utc({ dateStyle: "medium" }))],
      ["month short, day, year (track records, equity chart)", formatDate, fmt(utc({ month: "short", day: "numeric", year: "numeric" }))],
      ["dateStyle long", formatDateLong, fmt(utc({ dateStyle: "long" }))],
      ["month long, year", formatMonthYear, fmt(utc({ month: "long", year: "numeric" }))],
      ["dateStyle medium, timeStyle short", formatDateTime, fmt(utc({ dateStyle: "medium", timeStyle: "short" }))],
      ["dateStyle medium, timeStyle medium", formatDateTimeSeconds, fmt(utc({ dateStyle: "medium", timeStyle: "medium" }))],
      ["clock h23 with seconds", formatClock, fmt(utc({ hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }))],
      ["admin revenue clock + ' UTC'", formatUtcDateTime, fmt(utc({ dateStyle: "medium", timeStyle: "short", hourCycle: "h23" }), " UTC")],
      [
        "track record utcDateTime",
        formatUtcDateTime,
        fmt(utc({ month: "short", day: "numeric", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }), " UTC"),
      ],
      ["relative time's absolute", formatUtcMonthDayTime, fmt(utc({ month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }), " UTC")],
      ["billing notices", formatDateGB, (d) => new Date(d).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" })],
      ["profile's 'Updated' time", formatLocalClock, (d) => new Date(d).toLocaleTimeString("en-US", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })],
    ];
    // A step of a day plus 7 h 13 min walks every hour and minute-of-hour mix and every day of the year.
    const step = 86_400_000 + 7 * 3_600_000 + 13 * 60_000;
    for (const [name, now, then] of before) {
      let checked = 0;
      for (let t = Date.UTC(1970, 0, 1); t < Date.UTC(2100, 0, 1); t += step * 7) {
        if (now(t) !== then(t)) expect.fail(`${name}: ${now(t)} ≠ ${then(t)} at ${new Date(t).toISOString()}`);
        checked++;
      }
      expect(checked, name).toBeGreaterThan(5000);
    }
  });
});
