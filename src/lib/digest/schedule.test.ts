import { describe, expect, it } from "vitest";
import { compoundReturn, plainPercent, signedAmount, signedPercent } from "./figures";
import { hourStart, isDigestHour, isKnownTimeZone, isoWeek, localDateHour, previousMonth } from "./schedule";

describe("localDateHour across daylight saving", () => {
  it("Europe/London: 08:00 local is 08:00 UTC in winter and 07:00 UTC in summer (change on 29 March 2026)", () => {
    expect(localDateHour(new Date("2026-03-28T08:00:00Z"), "Europe/London")).toEqual({ date: "2026-03-28", hour: 8 });
    expect(localDateHour(new Date("2026-03-29T07:00:00Z"), "Europe/London")).toEqual({ date: "2026-03-29", hour: 8 });
    expect(localDateHour(new Date("2026-03-29T08:00:00Z"), "Europe/London")).toEqual({ date: "2026-03-29", hour: 9 });
  });

  it("Europe/London back to GMT on 25 October 2026", () => {
    expect(localDateHour(new Date("2026-10-24T07:00:00Z"), "Europe/London").hour).toBe(8);
    expect(localDateHour(new Date("2026-10-25T08:00:00Z"), "Europe/London").hour).toBe(8);
    expect(localDateHour(new Date("2026-10-25T07:00:00Z"), "Europe/London").hour).toBe(7);
  });

  it("America/New_York: 08:00 local is 13:00 UTC before 8 March 2026 and 12:00 UTC after; back on 1 November", () => {
    expect(isDigestHour(new Date("2026-03-07T13:00:00Z"), "America/New_York", 8)).toBe(true);
    expect(isDigestHour(new Date("2026-03-08T13:00:00Z"), "America/New_York", 8)).toBe(false);
    expect(isDigestHour(new Date("2026-03-08T12:00:00Z"), "America/New_York", 8)).toBe(true);
    expect(isDigestHour(new Date("2026-10-31T12:00:00Z"), "America/New_York", 8)).toBe(true);
    expect(isDigestHour(new Date("2026-11-01T13:00:00Z"), "America/New_York", 8)).toBe(true);
    expect(isDigestHour(new Date("2026-11-01T12:00:00Z"), "America/New_York", 8)).toBe(false);
  });

  it("each local hour comes once per day over the spring change and the autumn change (24 ticks a day)", () => {
    for (const [zone, day] of [
      ["Europe/London", "2026-03-29"],
      ["America/New_York", "2026-11-01"],
    ] as const) {
      const start = new Date(`${day}T00:00:00Z`);
      const hits = Array.from({ length: 24 * 3 }, (_, i) => new Date(start.getTime() + (i - 24) * 3_600_000)).filter(
        (t) => isDigestHour(t, zone, 8) && localDateHour(t, zone).date === day,
      );
      expect(hits).toHaveLength(1);
    }
  });

  it("reads the local date, not the UTC one", () => {
    expect(localDateHour(new Date("2026-12-06T23:30:00Z"), "Asia/Tokyo")).toEqual({ date: "2026-12-07", hour: 8 });
    expect(localDateHour(new Date("2026-12-07T00:00:00Z"), "UTC")).toEqual({ date: "2026-12-07", hour: 0 });
  });

  it("an unknown zone reads as UTC", () => {
    expect(isKnownTimeZone("Mars/Olympus")).toBe(false);
    expect(isKnownTimeZone("Europe/London")).toBe(true);
    expect(localDateHour(new Date("2026-12-07T05:00:00Z"), "Mars/Olympus")).toEqual({ date: "2026-12-07", hour: 5 });
  });
});

describe("calendar keys", () => {
  it("hourStart, isoWeek and previousMonth", () => {
    expect(hourStart(new Date("2026-12-07T09:00:41.5Z")).toISOString()).toBe("2026-12-07T09:00:00.000Z");
    expect(isoWeek(new Date("2026-12-07T09:00:00Z"))).toBe("2026-W50");
    expect(isoWeek(new Date("2027-01-01T09:00:00Z"))).toBe("2026-W53");
    expect(isoWeek(new Date("2024-12-30T09:00:00Z"))).toBe("2025-W01");
    const m = previousMonth(new Date("2026-01-01T09:00:00Z"));
    expect(m).toMatchObject({ key: "2025-12", label: "December 2025" });
    expect(m.start.toISOString()).toBe("2025-12-01T00:00:00.000Z");
    expect(m.end.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });
});

describe("figures", () => {
  it("formats decimal strings without floats", () => {
    expect(signedPercent("0.01205")).toBe("+1.21%");
    expect(signedPercent("-0.5")).toBe("-50.00%");
    expect(signedPercent(null)).toBe("—");
    expect(plainPercent("0.625")).toBe("62.5%");
    expect(signedAmount("1234.565")).toBe("+$1,234.57");
    expect(signedAmount("-0.1")).toBe("-$0.10");
    expect(signedAmount("0")).toBe("$0.00");
    expect(compoundReturn(["0.1", "-0.1"])).toBe("-0.01");
    expect(compoundReturn([])).toBeNull();
  });
});
