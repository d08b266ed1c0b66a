import { describe, expect, it } from "vitest";
import { clientOrderId } from "@/server/services/copy/paper";
import { isVenueClientOrderId, venueClientOrderId } from "./venue-id";

/** The client order id rules of the venues this id must fit (issue 14; each exchange's order API docs). */
const VENUE_FORMATS = {
  // Binance spot/futures newClientOrderId.
  binance: (id) => /^[.A-Z:/a-z0-9_-]{1,36}$/.test(id),
  // Bybit orderLinkId: at most 36 characters (numbers, letters, '-' and '_').
  bybit: (id) => /^[A-Za-z0-9_-]{1,36}$/.test(id),
  // OKX clOrdId: alphanumeric, 1 to 32.
  okx: (id) => /^[a-zA-Z0-9]{1,32}$/.test(id),
  // Kraken cl_ord_id: a UUID, long (with hyphens) or short (32 hex).
  kraken: (id) => /^[0-9a-f]{32}$/.test(id),
  // Alpaca client_order_id: at most 128 characters.
  alpaca: (id) => id.length >= 1 && id.length <= 128,
} satisfies Record<string, (id: string) => boolean>;

describe("venueClientOrderId", () => {
  it("is '7c' + the first 30 hex characters of sha256(client order id)", () => {
    // printf 'tcAAAA' | sha256sum -> 65921cd246655f0fc669087282ff25b6...
    expect(venueClientOrderId("tcAAAA")).toBe("7c65921cd246655f0fc669087282ff25");
    expect(venueClientOrderId("tcAAAA")).toBe(venueClientOrderId("tcAAAA"));
    expect(venueClientOrderId("tcAAAB")).not.toBe(venueClientOrderId("tcAAAA"));
  });

  it("maps 10,000 copy client order ids to distinct 32-character ids every venue accepts", () => {
    const legs = ["entry", "tp", "stop", "close", "manual", "manual-close"] as const;
    const sources = new Set<string>();
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const source = clientOrderId({ eventId: `sev_${i % 997}`, userId: `usr_${Math.floor(i / 997)}`, leg: legs[i % legs.length]! });
      sources.add(source);
      const id = venueClientOrderId(source);
      ids.add(id);
      expect(id).toHaveLength(32);
      expect(isVenueClientOrderId(id)).toBe(true);
      for (const [venue, accepts] of Object.entries(VENUE_FORMATS)) {
        if (!accepts(id)) throw new Error(`${venue} refuses ${id} (from ${source})`);
      }
    }
    expect(sources.size).toBe(10_000);
    expect(ids.size).toBe(10_000);
    // The source ids do carry the characters OKX refuses: the mapping is what makes them fit.
    const joined = [...sources].join("");
    expect(joined).toContain("-");
    expect(joined).toContain("_");
    expect([...sources].some((s) => !VENUE_FORMATS.okx(s))).toBe(true);
  });

  it("isVenueClientOrderId recognises only our ids", () => {
    expect(isVenueClientOrderId("7c65921cd246655f0fc669087282ff25")).toBe(true);
    expect(isVenueClientOrderId("7C65921CD246655F0FC669087282FF25")).toBe(false);
    expect(isVenueClientOrderId("7c65921cd246655f0fc669087282ff2")).toBe(false);
    expect(isVenueClientOrderId("7c65921cd246655f0fc669087282ff25a")).toBe(false);
    expect(isVenueClientOrderId("x-TKT5PX2F65921cd246655f0fc66908")).toBe(false);
    expect(isVenueClientOrderId(clientOrderId({ eventId: "sev_1", userId: "usr_1", leg: "entry" }))).toBe(false);
  });
});
