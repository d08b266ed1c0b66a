import { describe, expect, it } from "vitest";
import {
  ALLOCATION,
  FEE,
  INITIAL_EQUITY,
  MIN_CLOSED_SIGNALS,
  MIN_TRACK_RECORD_DAYS,
  computeAllWindows,
  computeStats,
  type ClosedSignal,
  type TrackRecordWindow,
} from "./index";
import { dayTrade, sig, t } from "./test-fixtures";

// Shared arithmetic (FEE = 0.001, r = X/E − 1 − FEE − FEE·X/E for a long, (E − X)/E − FEE − FEE·X/E short):
//   long 100 -> 110: r = 0.1 − 0.001 − 0.0011   =  0.0979    R (stop 95) = 0.0979 / 0.05   =  1.958
//   long 100 -> 120: r = 0.2 − 0.001 − 0.0012   =  0.1978    R (stop 95) = 0.1978 / 0.05   =  3.956
//   long 100 -> 95:  r = −0.05 − 0.001 − 0.00095 = −0.05195  R (stop 95) = −0.05195 / 0.05 = −1.039
//   long 100 -> 90:  r = −0.1 − 0.001 − 0.0009   = −0.1019   R (stop 95) = −0.1019 / 0.05  = −2.038
//   short 200 -> 180: r = 0.1 − 0.001 − 0.0009  =  0.0981    R (stop 210) = 0.0981 / 0.05  =  1.962
// A signal opened and closed inside one UTC day, alone that day, is allocated 10% of the previous day end's
// equity, so that day's return E_d / E_{d−1} − 1 is exactly 0.1 · r.
// √365 = 19.104973174542800179…

describe("constants", () => {
  it("are the product's numbers", () => {
    expect({ FEE, INITIAL_EQUITY, ALLOCATION, MIN_TRACK_RECORD_DAYS, MIN_CLOSED_SIGNALS }).toEqual({
      FEE: "0.001",
      INITIAL_EQUITY: "10000",
      ALLOCATION: "0.1",
      MIN_TRACK_RECORD_DAYS: 30,
      MIN_CLOSED_SIGNALS: 20,
    });
  });
});

describe("computeStats: every figure on hand-worked fixtures", () => {
  it("a single long win", () => {
    // Opens 01-01 10:00 (the "all" account opens then), closes 01-02 15:00: 29 h.
    // Equity 10,000 + 1,000 · 0.0979 = 10,097.9; ROI = 0.00979.
    // Day ends 01-02, 01-03, 01-04 00:00 = 10,000 / 10,097.9 / 10,097.9 -> returns 0, 0.00979, 0.
    // With x = 0.00979 / 3: mean = x, deviations −x, 2x, −x, sample variance = 6x² / 2 = 3x², stdev = x√3,
    // Sharpe = x / (x√3) · √365 = √(365 / 3) = √121.666… = 11.030261405…
    // Sortino: no day below 0 -> downside deviation 0 -> null. No loss -> profit factor null.
    const s = sig("w", "long", "100", "95", "2025-01-01T10:00:00Z", [["110", "1", "2025-01-02T15:00:00Z"]]);
    expect(computeStats([s], "all", t("2025-01-04T12:00:00Z"))).toEqual({
      window: "all",
      closedSignals: 1,
      wins: 1,
      roi: "0.00979000",
      winRate: "1.00000000",
      profitFactor: null,
      maxDrawdown: "0.00000000",
      sharpe: "11.03026141",
      sortino: null,
      expectancy: "0.09790000",
      avgR: "1.95800000",
      avgHoldHours: "29.00000000",
      firstSignalAt: t("2025-01-01T10:00:00Z"),
      score: null,
      ranked: false,
    });
  });

  it("a single short win", () => {
    // 03-10 08:00 -> 20:00 (12 h); 10,000 + 1,000 · 0.0981 = 10,098.1; ROI 0.00981.
    // One day end (03-11 00:00) -> one daily return -> Sharpe and Sortino null.
    const s = sig("s", "short", "200", "210", "2025-03-10T08:00:00Z", [["180", "1", "2025-03-10T20:00:00Z"]]);
    expect(computeStats([s], "all", t("2025-03-11T06:00:00Z"))).toEqual({
      window: "all",
      closedSignals: 1,
      wins: 1,
      roi: "0.00981000",
      winRate: "1.00000000",
      profitFactor: null,
      maxDrawdown: "0.00000000",
      sharpe: null,
      sortino: null,
      expectancy: "0.09810000",
      avgR: "1.96200000",
      avgHoldHours: "12.00000000",
      firstSignalAt: t("2025-03-10T08:00:00Z"),
      score: null,
      ranked: false,
    });
  });

  it("a partial close (0.5 / 0.3 / 0.2)", () => {
    // r = 0.099898, R = 0.99898 (see signal.test.ts). Equity 10,048.95 -> 10,108.29 -> 10,099.898
    // (account.test.ts); ROI = 0.0099898; max drawdown = 8.392 / 10,108.29 = 0.000830211…
    // Hold 01-01 09:00 -> 01-03 06:00 = 45 h.
    // Daily returns (day ends 01-02, 01-03): a = 10,048.95 / 10,000 − 1 = 0.004895,
    //   b = 10,108.29 / 10,048.95 − 1 = 59.34 / 10,048.95 = 0.0059050945621…
    // Two values: mean = (a + b) / 2 = 0.0054000472810…, sample stdev = |a − b| / √2 = 0.00071424471451…
    // Sharpe = 7.5605001637… · √365 = 144.443152…; no losing day -> Sortino null.
    // The last leg lost, but the signal won: no losing signal -> profit factor null.
    const s = sig("p", "long", "50", "45", "2025-01-01T09:00:00Z", [
      ["55", "0.5", "2025-01-01T12:00:00Z"],
      ["60", "0.3", "2025-01-02T12:00:00Z"],
      ["48", "0.2", "2025-01-03T06:00:00Z"],
    ]);
    expect(computeStats([s], "all", t("2025-01-03T18:00:00Z"))).toEqual({
      window: "all",
      closedSignals: 1,
      wins: 1,
      roi: "0.00998980",
      winRate: "1.00000000",
      profitFactor: null,
      maxDrawdown: "0.00083021",
      sharpe: "144.44315282",
      sortino: null,
      expectancy: "0.09989800",
      avgR: "0.99898000",
      avgHoldHours: "45.00000000",
      firstSignalAt: t("2025-01-01T09:00:00Z"),
      score: null,
      ranked: false,
    });
  });

  it("a losing streak: five losses, then a win", () => {
    // One signal a day, 10:00-14:00, 01-01 … 01-06; now 01-07 00:00, so day ends 01-02 … 01-07 (6).
    // Each loss multiplies equity by 1 + 0.1 · (−0.05195) = 0.994805; the win by 1 + 0.1 · 0.1978 = 1.01978.
    // Trough after five losses: 10,000 · 0.994805⁵ = 9,742.93481860084920604908753125 (peak: the initial 10,000)
    // Max drawdown = 1 − 0.994805⁵ = 0.025706518139915079… ; final = 9,742.9348186… · 1.01978
    //   = 9,935.650069312774… -> ROI −0.0064349930687…
    // Win rate 1/6. Profit factor = 0.1978 / (5 · 0.05195) = 0.1978 / 0.25975 = 0.76150144…
    // Expectancy = (0.1978 − 0.25975) / 6 = −0.06195 / 6 = −0.010325. Average R = (3.956 − 5 · 1.039) / 6
    //   = −1.239 / 6 = −0.2065. Hold 4 h each.
    // Daily returns: −0.005195 (×5), 0.01978. Mean = (−0.025975 + 0.01978) / 6 = −0.0010325.
    //   Deviations −0.0041625 (×5), 0.0208125; squares sum 5 · 0.00001732640625 + 0.00043316015625
    //   = 0.0005197921875; / 5 = 0.0001039584375; stdev = 0.010196001054…
    //   Sharpe = −0.0010325 / 0.010196001054 · √365 = −0.10126519157 · 19.1049731745 = −1.93466877…
    //   Downside: √(5 · 0.005195² / 6) = √(0.000134940125 / 6) = √0.0000224900208333… = 0.0047423644770…
    //   Sortino = −0.0010325 / 0.0047423644770 · √365 = −4.15950417…
    const signals = [
      dayTrade("l1", "2025-01-01", "long", "100", "95", "95"),
      dayTrade("l2", "2025-01-02", "long", "100", "95", "95"),
      dayTrade("l3", "2025-01-03", "long", "100", "95", "95"),
      dayTrade("l4", "2025-01-04", "long", "100", "95", "95"),
      dayTrade("l5", "2025-01-05", "long", "100", "95", "95"),
      dayTrade("w6", "2025-01-06", "long", "100", "95", "120"),
    ];
    expect(computeStats(signals, "all", t("2025-01-07T00:00:00Z"))).toEqual({
      window: "all",
      closedSignals: 6,
      wins: 1,
      roi: "-0.00643499",
      winRate: "0.16666667",
      profitFactor: "0.76150144",
      maxDrawdown: "0.02570652",
      sharpe: "-1.93466877",
      sortino: "-4.15950417",
      expectancy: "-0.01032500",
      avgR: "-0.20650000",
      avgHoldHours: "4.00000000",
      firstSignalAt: t("2025-01-01T10:00:00Z"),
      score: null,
      ranked: false,
    });
  });

  it("a same-candle stop and target, input as the stop fill the lifecycle chose", () => {
    // Long 100, stop 95, target 110, both in the 09:00 candle; one leg at 95 at 09:05.
    // r = −0.05195, R = −1.039; equity 10,000 − 51.95 = 9,948.05: ROI −0.005195, drawdown 51.95 / 10,000.
    // Profit factor = 0 gains / 0.05195 = 0. Hold 5 min = 0.0833… h. One day end: no Sharpe/Sortino.
    const s = sig("sc", "long", "100", "95", "2025-02-03T09:00:00Z", [["95", "1", "2025-02-03T09:05:00Z"]]);
    expect(computeStats([s], "all", t("2025-02-04T00:00:00Z"))).toEqual({
      window: "all",
      closedSignals: 1,
      wins: 0,
      roi: "-0.00519500",
      winRate: "0.00000000",
      profitFactor: "0.00000000",
      maxDrawdown: "0.00519500",
      sharpe: null,
      sortino: null,
      expectancy: "-0.05195000",
      avgR: "-1.03900000",
      avgHoldHours: "0.08333333",
      firstSignalAt: t("2025-02-03T09:00:00Z"),
      score: null,
      ranked: false,
    });
  });

  it("overlapping signals", () => {
    // Curve worked in account.test.ts: final 10,143.5414095 -> ROI 0.0143541409…; drawdown
    // 52.4585905 / 10,196 = 0.0051450167…
    // r: 0.0979, 0.0981, −0.05195. Win rate 2/3. Profit factor 0.196 / 0.05195 = 3.7728585178…
    // Expectancy 0.14405 / 3 = 0.0480166…; average R (1.958 + 1.962 − 1.039) / 3 = 2.881 / 3 = 0.960333…
    // Holds 3 h, 4 h, 3 h -> 10 / 3 = 3.333… h. One day end (01-02 00:00): no Sharpe/Sortino.
    const signals = [
      sig("a", "long", "100", "95", "2025-01-01T01:00:00Z", [["110", "1", "2025-01-01T04:00:00Z"]]),
      sig("b", "short", "200", "210", "2025-01-01T02:00:00Z", [["180", "1", "2025-01-01T06:00:00Z"]]),
      sig("c", "long", "100", "95", "2025-01-01T05:00:00Z", [["95", "1", "2025-01-01T08:00:00Z"]]),
    ];
    const expected = {
      window: "all",
      closedSignals: 3,
      wins: 2,
      roi: "0.01435414",
      winRate: "0.66666667",
      profitFactor: "3.77285852",
      maxDrawdown: "0.00514502",
      sharpe: null,
      sortino: null,
      expectancy: "0.04801667",
      avgR: "0.96033333",
      avgHoldHours: "3.33333333",
      firstSignalAt: t("2025-01-01T01:00:00Z"),
      score: null,
      ranked: false,
    };
    const now = t("2025-01-02T00:00:00Z");
    expect(computeStats(signals, "all", now)).toEqual(expected);
    // The input order does not matter.
    expect(computeStats([...signals].reverse(), "all", now)).toEqual(expected);
  });

  it("Sharpe and Sortino over three day ends", () => {
    // 01-01 long 100 -> 120 (r 0.1978), 01-02 long 100 -> 95 (r −0.05195), 01-03 long 100 -> 90 (r −0.1019);
    // now 01-04 00:00. Day ends 01-02, 01-03, 01-04; E_0 = 10,000 at the 01-01 10:00 start.
    // Equity 10,197.8 -> 10,144.823… -> 10,041.4466884484…: returns r_d = 0.01978, −0.005195, −0.01019.
    //   (ROI = 1.01978 · 0.994805 · 0.98981 − 1 = 0.00414466884484…)
    // Mean = (0.01978 − 0.005195 − 0.01019) / 3 = 0.004395 / 3 = 0.001465
    // Deviations 0.018315, −0.00666, −0.011655; squares 0.000335439225 + 0.0000443556 + 0.000135839025
    //   = 0.00051563385; sample variance / 2 = 0.000257816925; stdev = 0.016056678517…
    // Sharpe = 0.001465 / 0.016056678517 · √365 = 0.0912393… · 19.1049731745 = 1.74312425…
    // Downside deviation = √((0.005195² + 0.01019²) / 3) = √(0.000130824125 / 3) = √0.0000436080416…
    //   = 0.0066036385172…; Sortino = 0.001465 / 0.0066036385172 · √365 = 4.23838852…
    // Max drawdown from the 10,197.8 peak: 1 − 0.994805 · 0.98981 = 1 − 0.98466794… = 0.0153320…
    // Profit factor 0.1978 / (0.05195 + 0.1019) = 0.1978 / 0.15385 = 1.285667…; expectancy 0.04395 / 3
    // = 0.01465; average R (3.956 − 1.039 − 2.038) / 3 = 0.879 / 3 = 0.293.
    const signals = [
      dayTrade("h1", "2025-01-01", "long", "100", "95", "120"),
      dayTrade("h2", "2025-01-02", "long", "100", "95", "95"),
      dayTrade("h3", "2025-01-03", "long", "100", "95", "90"),
    ];
    expect(computeStats(signals, "all", t("2025-01-04T00:00:00Z"))).toEqual({
      window: "all",
      closedSignals: 3,
      wins: 1,
      roi: "0.00414467",
      winRate: "0.33333333",
      profitFactor: "1.28566786",
      maxDrawdown: "0.01533206",
      sharpe: "1.74312425",
      sortino: "4.23838852",
      expectancy: "0.01465000",
      avgR: "0.29300000",
      avgHoldHours: "4.00000000",
      firstSignalAt: t("2025-01-01T10:00:00Z"),
      score: null,
      ranked: false,
    });
  });

  it("profit factor is null without losses, and the empty window is flat", () => {
    const signals = [
      dayTrade("w1", "2025-01-01", "long", "100", "95", "110"),
      dayTrade("w2", "2025-01-02", "short", "200", "210", "180"),
    ];
    expect(computeStats(signals, "all", t("2025-01-05T00:00:00Z")).profitFactor).toBeNull();
    expect(computeStats([], "30d", t("2025-01-05T00:00:00Z"))).toEqual({
      window: "30d",
      closedSignals: 0,
      wins: 0,
      roi: "0.00000000",
      winRate: "0.00000000",
      profitFactor: null,
      maxDrawdown: "0.00000000",
      sharpe: null, // 30 flat days: stdev 0
      sortino: null,
      expectancy: "0.00000000",
      avgR: null,
      avgHoldHours: "0.00000000",
      firstSignalAt: null,
      score: null,
      ranked: false,
    });
  });

  it("rejects an unknown window or an invalid now", () => {
    expect(() => computeStats([], "7d" as TrackRecordWindow, t("2025-01-01T00:00:00Z"))).toThrow(/unknown window/);
    expect(() => computeStats([], "all", new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe("windows", () => {
  // now = 06-30 12:00. Window starts: 30d 05-31 12:00, 90d 04-01 12:00, 1y 2024-06-30 12:00.
  //   W1 long 100 -> 110   05-19 12:00 -> 05-21 12:00 (closed 40 days ago; 48 h)   r 0.0979
  //   W3 long 100 -> 95    05-31 00:00 -> 05-31 12:00 (closed exactly 30 days ago; 12 h) r −0.05195
  //   W2 short 200 -> 180  06-20 12:00 -> 06-20 18:00 (closed 10 days ago; 6 h)   r 0.0981
  //   W4 closes 07-01, after now: in no window.
  const now = t("2025-06-30T12:00:00Z");
  const signals: ClosedSignal[] = [
    sig("w1", "long", "100", "95", "2025-05-19T12:00:00Z", [["110", "1", "2025-05-21T12:00:00Z"]]),
    sig("w2", "short", "200", "210", "2025-06-20T12:00:00Z", [["180", "1", "2025-06-20T18:00:00Z"]]),
    sig("w3", "long", "100", "95", "2025-05-31T00:00:00Z", [["95", "1", "2025-05-31T12:00:00Z"]]),
    sig("w4", "long", "100", "95", "2025-06-29T00:00:00Z", [["50", "1", "2025-07-01T00:00:00Z"]]),
  ];

  it("a signal closed 40 days ago counts in 90d but not 30d; closed exactly 30 days ago is out of 30d", () => {
    // 30d holds W2 only: 10,000 + 98.1 -> ROI 0.00981. 30 day ends (06-01 … 06-30), one return of
    //   x = 0.00981 (06-21), 29 zeros: mean x/30, sample variance (x² − 30 (x/30)²) / 29 = x² / 30,
    //   Sharpe = (x/30) / (x/√30) · √365 = √(365/30) = √12.1666… = 3.488074923…; Sortino null (no down day).
    // 90d/1y/all hold W1, W3, W2, each alone in its UTC day(s): daily returns 0.00979 (05-22),
    //   −0.005195 (06-01), 0.00981 (06-21), zeros otherwise, over n = 90 / 365 / 42 day ends
    //   ("all" opens at W1's 05-19 12:00: 05-20 … 05-31 is 12, June 30).
    //   Final = 10,000 · 1.00979 · 0.994805 · 1.00981 = 10,097.9 · 0.994805 = 10,045.4414095;
    //   + 10,045.4414095 · 0.00981 = 98.545780227195 -> 10,143.987189727195: ROI 0.01439871897…
    //   Max drawdown: W3 takes 10% · 0.05195 of the 10,097.9 peak = 0.005195 exactly.
    //   Sum of returns s = 0.014405; Σr² = 0.0000958441 + 0.000026988025 + 0.0000962361 = 0.000219068225.
    //   Sharpe = (s/n) / √((Σr² − s²/n) / (n − 1)) · √365:
    //     n = 90:  mean 0.000160055…, variance 0.0000024355351…, stdev 0.00156062010… -> 1.95938594…
    //     n = 365: mean 0.0000394657…, variance 0.00000060027396…, stdev 0.000774773488… -> 0.97317754…
    //     n = 42:  mean 0.000342976…, variance 0.0000052226257…, stdev 0.00228530647… -> 2.86725259…
    //   Sortino = (s/n) / √(0.005195² / n) · √365 = (0.014405 / 0.005195) · √(365/n)
    //     = 2.772858517… · √(365/n): n = 90 -> 5.58409616…, 365 -> 2.77285852…, 42 -> 8.17427977…
    //   Win rate 2/3; profit factor 0.196 / 0.05195 = 3.77285852…; expectancy 0.14405 / 3; average R
    //   2.881 / 3; hold (48 + 12 + 6) / 3 = 22 h.
    const shared = {
      closedSignals: 3,
      wins: 2,
      roi: "0.01439872",
      winRate: "0.66666667",
      profitFactor: "3.77285852",
      maxDrawdown: "0.00519500",
      expectancy: "0.04801667",
      avgR: "0.96033333",
      avgHoldHours: "22.00000000",
      firstSignalAt: t("2025-05-19T12:00:00Z"),
      score: null,
      ranked: false,
    };
    expect(computeAllWindows(signals, now)).toEqual({
      "30d": {
        window: "30d",
        closedSignals: 1,
        wins: 1,
        roi: "0.00981000",
        winRate: "1.00000000",
        profitFactor: null,
        maxDrawdown: "0.00000000",
        sharpe: "3.48807492",
        sortino: null,
        expectancy: "0.09810000",
        avgR: "1.96200000",
        avgHoldHours: "6.00000000",
        firstSignalAt: t("2025-06-20T12:00:00Z"),
        score: null,
        ranked: false,
      },
      "90d": { window: "90d", ...shared, sharpe: "1.95938594", sortino: "5.58409616" },
      "1y": { window: "1y", ...shared, sharpe: "0.97317754", sortino: "2.77285852" },
      all: { window: "all", ...shared, sharpe: "2.86725259", sortino: "8.17427977" },
    });
    for (const window of ["30d", "90d", "1y", "all"] as const) {
      expect(computeStats(signals, window, now)).toEqual(computeAllWindows(signals, now)[window]);
    }
  });

  it("includes a signal closed exactly at now", () => {
    const atNow = sig("n", "long", "100", "95", "2025-06-30T11:00:00Z", [["110", "1", "2025-06-30T12:00:00Z"]]);
    expect(computeStats([...signals, atNow], "30d", now).closedSignals).toBe(2);
  });

  it("a signal opened before the window start is allocated from the opening equity", () => {
    // 30d window from 05-31 12:00. S opened 05-20, half closed 05-25 at 110 (before the start), rest 06-10
    // at 120. r = 0.5 · 0.0979 + 0.5 · 0.1978 = 0.14785, R (stop 90) = 0.14785 / 0.1 = 1.4785.
    // Allocation 1,000; leg 1 realized at the start (+48.95), leg 2 on 06-10 12:00 (+98.9): final
    // 10,147.85, ROI 0.014785, never below a peak. Hold 05-20 12:00 -> 06-10 12:00 = 21 days = 504 h.
    // Daily returns over 30 day ends: a = 10,048.95 / 10,000 − 1 = 0.004895 (06-01),
    //   b = 98.9 / 10,048.95 = 0.0098418242701… (06-11), 28 zeros. mean = (a + b) / 30 = 0.000491227475…
    //   Σr² = 0.000023961025 + 0.0000968615… = 0.0001208225…; variance (Σr² − 30·mean²) / 29
    //   = 0.00000391676…; stdev 0.0019790…; Sharpe = 0.2482… · √365 = 4.74209942…; no down day.
    const s = sig("s", "long", "100", "90", "2025-05-20T12:00:00Z", [
      ["110", "0.5", "2025-05-25T12:00:00Z"],
      ["120", "0.5", "2025-06-10T12:00:00Z"],
    ]);
    expect(computeStats([s], "30d", now)).toEqual({
      window: "30d",
      closedSignals: 1,
      wins: 1,
      roi: "0.01478500",
      winRate: "1.00000000",
      profitFactor: null,
      maxDrawdown: "0.00000000",
      sharpe: "4.74209942",
      sortino: null,
      expectancy: "0.14785000",
      avgR: "1.47850000",
      avgHoldHours: "504.00000000",
      firstSignalAt: t("2025-05-20T12:00:00Z"),
      score: null,
      ranked: false,
    });
  });
});

describe("ranking", () => {
  // n signals, one a day from 2025-01-01, alternating long 100 -> 110 (r 0.0979) and long 100 -> 95
  // (r −0.05195); daily returns alternate 0.00979 and −0.005195.
  function alternating(n: number): ClosedSignal[] {
    return Array.from({ length: n }, (_, i) => {
      const day = new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10);
      return dayTrade(`r${i}`, day, "long", "100", "95", i % 2 === 0 ? "110" : "95");
    });
  }
  const DAY = 86_400_000;
  // 20 signals over 01-01 … 01-20; now 01-21 00:00 gives 20 day ends.
  const now = t("2025-01-21T00:00:00Z");
  const twenty = alternating(20);
  const ago = (days: number, ms = 0) => new Date(now.getTime() - days * DAY + ms);

  it("ranks 20 closed signals over a 30-day track record, scoring Sharpe · 20/50", () => {
    // mean = (0.00979 − 0.005195) / 2 = 0.0022975; every deviation is ±0.0074925, so the sample stdev is
    //   0.0074925 · √(20/19) = 0.0076871428…; Sharpe = 0.0022975 / 0.0076871428 · √365 = 5.71001177…
    // score = 5.71001177… · min(1, 20/50) = 5.71001177… · 0.4 = 2.28400471…
    const stats = computeStats(twenty, "all", now, { trackRecordStart: ago(30) });
    expect(stats).toMatchObject({ closedSignals: 20, ranked: true, sharpe: "5.71001177", score: "2.28400471" });
  });

  it("does not rank 19 closed signals", () => {
    const stats = computeStats(twenty.slice(0, 19), "all", now, { trackRecordStart: ago(30) });
    expect(stats).toMatchObject({ closedSignals: 19, ranked: false, score: null });
    expect(stats.sharpe).not.toBeNull();
  });

  it("does not rank a track record younger than 30 days", () => {
    expect(computeStats(twenty, "all", now, { trackRecordStart: ago(29) })).toMatchObject({ ranked: false, score: null });
    expect(computeStats(twenty, "all", now, { trackRecordStart: ago(30, 1) })).toMatchObject({ ranked: false, score: null });
    expect(computeStats(twenty, "all", now, { trackRecordStart: ago(31) })).toMatchObject({ ranked: true, score: "2.28400471" });
    expect(computeStats(twenty, "all", now, { trackRecordStart: null })).toMatchObject({ ranked: false, score: null });
    // Omitted: the earliest openedAt passed (01-01 10:00), 19.6 days before now.
    expect(computeStats(twenty, "all", now)).toMatchObject({ ranked: false, score: null });
    expect(computeStats(twenty, "all", t("2025-01-31T10:00:00Z"))).toMatchObject({ ranked: true });
  });

  it("stops shrinking the score at 50 signals", () => {
    // 60 alternating signals, 60 day ends: stdev 0.0074925 · √(60/59) -> Sharpe 5.80932377…; score = Sharpe.
    const sixty = alternating(60);
    const stats = computeStats(sixty, "all", t("2025-03-02T00:00:00Z"), { trackRecordStart: t("2025-01-01T00:00:00Z") });
    expect(stats).toMatchObject({ closedSignals: 60, ranked: true, sharpe: "5.80932377", score: "5.80932377" });
  });

  it("ranks per window: the 30d window of the same provider can be unranked", () => {
    // 30d before 01-21 is 12-22: all 20 signals are inside; with trackRecordStart 40 days ago both rank.
    const all = computeAllWindows(twenty, now, { trackRecordStart: ago(40) });
    expect(all["30d"].ranked).toBe(true);
    const fewer = computeAllWindows(alternating(20), t("2025-02-05T00:00:00Z"), { trackRecordStart: ago(40) });
    // 30d before 02-05 is 01-06: signals of 01-06 … 01-20 = 15 closed -> unranked; all has 20 -> ranked.
    expect(fewer["30d"]).toMatchObject({ closedSignals: 15, ranked: false, score: null });
    expect(fewer.all).toMatchObject({ closedSignals: 20, ranked: true });
  });
});
