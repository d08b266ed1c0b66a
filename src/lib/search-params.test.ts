import { describe, expect, it } from "vitest";
import { firstParam, hrefWith, parsePageParam, textParam } from "./search-params";

describe("search params", () => {
  it("takes the first of repeated values", () => {
    expect(firstParam(["a", "b"])).toBe("a");
    expect(firstParam(undefined)).toBeUndefined();
  });
  it.each([
    [undefined, 1],
    ["3", 3],
    ["0", 1],
    ["-2", 1],
    ["1e3", 1],
    ["99999", 1],
    [["4", "5"], 4],
  ])("page %j -> %i", (v, n) => expect(parsePageParam(v as never)).toBe(n));
  it("builds canonical hrefs", () => {
    expect(hrefWith("/providers", { q: "btc", market: undefined, page: 1 })).toBe("/providers?q=btc");
    expect(hrefWith("/providers", { q: "", page: 3 })).toBe("/providers?page=3");
    expect(hrefWith("/x", {})).toBe("/x");
  });
});

describe("textParam", () => {
  it("trims and cuts free text, and drops text the app refuses anywhere", () => {
    expect(textParam("  momentum  ", 80)).toBe("momentum");
    expect(textParam(["first", "second"], 80)).toBe("first");
    expect(textParam("x".repeat(100), 80)).toHaveLength(80);
    expect(textParam("Zürich 📈", 80)).toBe("Zürich 📈");
    expect(textParam("a\u0000b", 80)).toBe("");
    expect(textParam("\ud800", 80)).toBe("");
    expect(textParam(undefined, 80)).toBe("");
  });
});
