import { describe, expect, it } from "vitest";
import { slugify } from "./slug";
import { newId, randomBase32 } from "./ids";

describe("slugify", () => {
  it.each([
    ["Northwind Trend", "northwind-trend"],
    ["  Ça va — Bien!  ", "ca-va-bien"],
    ["BTC/USDT 4h", "btc-usdt-4h"],
    ["***", "provider"],
    ["a".repeat(60), "a".repeat(40)],
  ])("%s -> %s", (input, out) => expect(slugify(input)).toBe(out));
});

describe("ids", () => {
  it("are prefixed, lower-case base32 and distinct", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId("usr")));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^usr_[0-9a-hjkmnp-tv-z]{20}$/);
    expect(randomBase32(8)).toHaveLength(8);
  });
});
