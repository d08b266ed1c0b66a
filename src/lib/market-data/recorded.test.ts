import { describe, expect, it } from "vitest";
import { parseOhlcvCsv, parseOhlcvJson, parseUtcTimestamp } from "./recorded";

describe("parseOhlcvJson", () => {
  it("reads ccxt OHLCV arrays as exact decimal strings", () => {
    const text = "[[1502942400000,4261.48,4313.62,4261.32,4308.83,47.181009],[1502946000000,4360.0,4445.78,4360.0,4444.0,0.0]]";
    expect(parseOhlcvJson(text)).toEqual([
      { openTime: 1502942400000, open: "4261.48", high: "4313.62", low: "4261.32", close: "4308.83", volume: "47.181009" },
      { openTime: 1502946000000, open: "4360", high: "4445.78", low: "4360", close: "4444", volume: "0" },
    ]);
  });

  it("accepts string values", () => {
    expect(parseOhlcvJson('[[0,"1.10","2","0.5","1","3.000"]]')[0]).toMatchObject({ open: "1.1", volume: "3" });
  });

  it.each([
    ["{}", /array/],
    ["[[1,2,3]]", /row 0/],
    ['[[1.5,1,1,1,1,1]]', /row 0/],
    ['[[0,1,1,1,"x",1]]', /decimal/],
    ["[[2,1,1,1,1,1],[1,1,1,1,1,1]]", /not after/],
    ["[[1,1,1,1,1,1],[1,1,1,1,1,1]]", /not after/],
  ])("rejects %s", (text, message) => expect(() => parseOhlcvJson(text)).toThrow(message));
});

describe("parseOhlcvCsv", () => {
  it("reads a pandas export with an empty first header and date-time rows, as UTC", () => {
    const text = ",Open,High,Low,Close,Volume\n2017-04-19 09:00:00,1.0716,1.0722,1.07083,1.07219,1413\n2017-04-19 10:00:00,1.07214,1.07296,1.07214,1.0726,1241\n";
    expect(parseOhlcvCsv(text)).toEqual([
      { openTime: Date.UTC(2017, 3, 19, 9), open: "1.0716", high: "1.0722", low: "1.07083", close: "1.07219", volume: "1413" },
      { openTime: Date.UTC(2017, 3, 19, 10), open: "1.07214", high: "1.07296", low: "1.07214", close: "1.0726", volume: "1241" },
    ]);
  });

  it("reads date-only rows and columns in another order, keeping a zero volume", () => {
    const text = "datetime,volume,close,low,high,open\r\n2020-02-29,0,8543.00000000,8411.00000000,8792.00000000,8788.72000000\r\n";
    expect(parseOhlcvCsv(text)).toEqual([
      { openTime: Date.UTC(2020, 1, 29), open: "8788.72", high: "8792", low: "8411", close: "8543", volume: "0" },
    ]);
  });

  it.each([
    ["t,open,high,low,close\n2020-01-01,1,1,1,1", /volume/],
    [",Open,High,Low,Close,Volume\n2020-01-01,1,1,1", /^OHLCV CSV: line 2: no value in column 5$/],
    [',Open,High,Low,Close,Volume\n2020-01-01,"1",1,1,1,1', /quoted/],
    [",Open,High,Low,Close,Volume\n01/02/2020,1,1,1,1,1", /line 2.*UTC date/],
    [",Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n2020-01-01,1,1,1,1,1", /not after/],
  ])("rejects %j", (text, message) => expect(() => parseOhlcvCsv(text)).toThrow(message));
});

describe("parseUtcTimestamp", () => {
  it("reads dates and date-times without a zone as UTC", () => {
    expect(parseUtcTimestamp("2004-08-19")).toBe(Date.UTC(2004, 7, 19));
    expect(parseUtcTimestamp("2018-02-08 00:00:00")).toBe(Date.UTC(2018, 1, 8));
    expect(parseUtcTimestamp("2018-02-08T13:45")).toBe(Date.UTC(2018, 1, 8, 13, 45));
    expect(() => parseUtcTimestamp("2018-02-30x")).toThrow();
    expect(() => parseUtcTimestamp("2018-13-45")).toThrow();
  });
});
