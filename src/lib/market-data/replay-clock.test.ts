import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS } from "./candles";
import { chooseReplayOffset, DEFAULT_REPLAY_RUNWAY_MS, replayAnchorWindow, replayProgress } from "./replay-clock";

const WEEK = 7 * DAY_MS;
const RUNWAY = 90 * DAY_MS;
const base = { runwayMs: RUNWAY, stepMs: WEEK };
// The BTC/USDT recording's span (shared/data): 2017-08-17 04:00 to the close of 2022-10-11 10:00.
const firstOpen = Date.UTC(2017, 7, 17, 4);
const lastClose = Date.UTC(2022, 9, 11, 11);
/** Real "now"s on every weekday, at odd times, across years. */
const NOWS = [
  Date.UTC(2025, 5, 15, 13, 37, 12),
  Date.UTC(2026, 0, 1),
  Date.UTC(2026, 11, 7, 23, 59, 59, 999),
  Date.UTC(2027, 2, 3, 0, 0, 0, 1),
  Date.UTC(2031, 11, 31, 23, 59),
  ...Array.from({ length: 14 }, (_, k) => Date.UTC(2026, 11, 1) + k * 12 * HOUR_MS + 7 * 60_000),
];

describe("chooseReplayOffset", () => {
  it("defaults to a 90-day runway", () => {
    expect(DEFAULT_REPLAY_RUNWAY_MS).toBe(RUNWAY);
  });

  it("long series: now maps to the most recent span, between runway and runway + one week before the recording's end", () => {
    for (const now of NOWS) {
      const offset = chooseReplayOffset({ ...base, firstOpen, lastClose, now });
      const replayed = now - offset;
      expect(lastClose - replayed).toBeGreaterThanOrEqual(RUNWAY);
      expect(lastClose - replayed).toBeLessThan(RUNWAY + WEEK);
      // Inside the documented window, whose start is a full week before its end.
      const w = replayAnchorWindow({ ...base, firstOpen, lastClose });
      expect(replayed).toBeGreaterThan(w.from);
      expect(replayed).toBeLessThanOrEqual(w.to);
      expect(w.to - w.from).toBe(WEEK);
      // ...which is July 2022 for this recording, not 2018 as a year after its start would be.
      expect(new Date(replayed).toISOString().slice(0, 7)).toBe("2022-07");
    }
  });

  it("moves only in whole weeks, so weekday and time of day are kept (FX and stock weekends stay weekends)", () => {
    for (const now of NOWS) {
      const offset = chooseReplayOffset({ ...base, firstOpen, lastClose, now });
      expect(offset % WEEK).toBe(0);
      const replayed = now - offset;
      expect(new Date(replayed).getUTCDay()).toBe(new Date(now).getUTCDay());
      expect(((replayed % DAY_MS) + DAY_MS) % DAY_MS).toBe(now % DAY_MS);
    }
  });

  it("the same real week always gets the same offset; the next week gets one more week", () => {
    const start = lastClose - RUNWAY + 230 * WEEK; // Dec 2026: recorded(start) lands exactly on the window's end
    const a = chooseReplayOffset({ ...base, firstOpen, lastClose, now: start });
    expect(start - a).toBe(lastClose - RUNWAY);
    expect(chooseReplayOffset({ ...base, firstOpen, lastClose, now: start - WEEK + 1 })).toBe(a);
    expect(chooseReplayOffset({ ...base, firstOpen, lastClose, now: start + 1 })).toBe(a + WEEK);
  });

  it("a series shorter than a year plus the runway keeps the runway and gets less history", () => {
    // EUR/USD in shared/data: ~294 days.
    const eurFirst = Date.UTC(2017, 3, 19, 9);
    const eurLast = Date.UTC(2018, 1, 7, 16);
    for (const now of NOWS) {
      const replayed = now - chooseReplayOffset({ ...base, firstOpen: eurFirst, lastClose: eurLast, now });
      expect(eurLast - replayed).toBeGreaterThanOrEqual(RUNWAY);
      expect(eurLast - replayed).toBeLessThan(RUNWAY + WEEK);
      expect(replayed - eurFirst).toBeGreaterThan(190 * DAY_MS);
      expect(replayed - eurFirst).toBeLessThan(205 * DAY_MS);
    }
  });

  it("a series shorter than its runway starts at its first candle rather than before it", () => {
    const first = Date.UTC(2020, 0, 1);
    const last = first + 10 * DAY_MS;
    expect(replayAnchorWindow({ ...base, firstOpen: first, lastClose: last })).toEqual({ from: first - WEEK, to: first });
    for (const now of NOWS) {
      const replayed = now - chooseReplayOffset({ ...base, firstOpen: first, lastClose: last, now });
      expect(replayed).toBeLessThanOrEqual(first);
      expect(replayed).toBeGreaterThan(first - WEEK);
    }
  });

  it("refuses steps that would move daily candles off midnight, an empty series and a negative runway", () => {
    expect(() => chooseReplayOffset({ ...base, stepMs: HOUR_MS, firstOpen: 0, lastClose: 1, now: 2 })).toThrow(RangeError);
    expect(() => chooseReplayOffset({ ...base, firstOpen: 5, lastClose: 5, now: 2 })).toThrow(/empty series/);
    expect(() => chooseReplayOffset({ ...base, runwayMs: -1, firstOpen: 0, lastClose: DAY_MS, now: 2 })).toThrow(/runway/);
  });
});

describe("replayProgress", () => {
  it("counts the runway down from the choice and says when the recording has run out", () => {
    const chosenAt = Date.UTC(2026, 11, 7, 9, 30);
    const offsetMs = chooseReplayOffset({ ...base, firstOpen, lastClose, now: chosenAt });
    const p = replayProgress({ lastClose, offsetMs }, chosenAt);
    expect(p.recordedNow).toBe(chosenAt - offsetMs);
    expect(p.endsAt).toBe(lastClose + offsetMs);
    expect(p.ended).toBe(false);
    expect(p.runwayLeftMs).toBeGreaterThanOrEqual(RUNWAY);
    expect(p.runwayLeftMs).toBeLessThan(RUNWAY + WEEK);

    // The stored offset never changes, so the runway is spent: at the shifted last close nothing newer is left.
    expect(replayProgress({ lastClose, offsetMs }, p.endsAt - 1)).toMatchObject({ ended: false, runwayLeftMs: 1 });
    expect(replayProgress({ lastClose, offsetMs }, p.endsAt)).toMatchObject({ ended: true, runwayLeftMs: 0, recordedNow: lastClose });
    expect(replayProgress({ lastClose, offsetMs }, p.endsAt + 400 * DAY_MS)).toMatchObject({ ended: true, runwayLeftMs: 0 });
  });
});
