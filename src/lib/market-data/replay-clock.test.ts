import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "./candles";
import { chooseReplayOffset } from "./replay-clock";

const WEEK = 7 * DAY_MS;
const base = { minHistoryMs: 365 * DAY_MS, runwayMs: 30 * DAY_MS, stepMs: WEEK };

describe("chooseReplayOffset", () => {
  it("long series: now maps to at least a year after the first candle, within one step, in whole weeks", () => {
    const firstOpen = Date.UTC(2017, 7, 17, 4);
    const lastClose = Date.UTC(2022, 9, 11, 11);
    for (const now of [Date.UTC(2025, 5, 15, 13, 37), Date.UTC(2026, 0, 1), Date.UTC(2031, 11, 31, 23, 59)]) {
      const offset = chooseReplayOffset({ ...base, firstOpen, lastClose, now });
      expect(offset % WEEK).toBe(0);
      const replayed = now - offset;
      expect(replayed).toBeGreaterThanOrEqual(firstOpen + 365 * DAY_MS);
      expect(replayed).toBeLessThan(firstOpen + 365 * DAY_MS + WEEK);
      // Whole weeks keep the weekday and the time of day.
      expect(new Date(replayed).getUTCDay()).toBe(new Date(now).getUTCDay());
      expect(replayed % DAY_MS).toBe(now % DAY_MS);
    }
  });

  it("short series: now maps to the runway before the end, history is whatever is left", () => {
    const firstOpen = Date.UTC(2017, 3, 19, 9);
    const lastClose = Date.UTC(2018, 1, 7, 16);
    const now = Date.UTC(2025, 5, 15, 13, 37);
    const offset = chooseReplayOffset({ ...base, firstOpen, lastClose, now });
    expect(offset % WEEK).toBe(0);
    const replayed = now - offset;
    expect(replayed).toBeLessThanOrEqual(lastClose - 30 * DAY_MS);
    expect(replayed).toBeGreaterThan(lastClose - 30 * DAY_MS - WEEK);
    expect(replayed - firstOpen).toBeGreaterThan(250 * DAY_MS);
  });

  it("a series shorter than its runway starts at its first candle rather than before it", () => {
    const firstOpen = Date.UTC(2020, 0, 1);
    const offset = chooseReplayOffset({ ...base, firstOpen, lastClose: firstOpen + 10 * DAY_MS, now: Date.UTC(2025, 0, 1, 12) });
    expect(Date.UTC(2025, 0, 1, 12) - offset).toBeLessThanOrEqual(firstOpen);
  });

  it("refuses steps that would move daily candles off midnight", () => {
    expect(() => chooseReplayOffset({ ...base, stepMs: HOUR_MS, firstOpen: 0, lastClose: 1, now: 2 })).toThrow(RangeError);
  });
});
