/**
 * The client address behind rate limits and the audit log. Only the entries our own proxies appended to
 * X-Forwarded-For can be believed: everything to their left is whatever the caller sent.
 */
import { describe, expect, it, vi } from "vitest";
import { useEnvOverrides } from "@/test/env";
import { clientIp } from "./client-ip";

const setEnv = useEnvOverrides();
const xff = (value: string, extra: Record<string, string> = {}) => new Headers({ "x-forwarded-for": value, ...extra });

describe("clientIp", () => {
  it("believes no forwarding header when no proxy is configured (the default)", async () => {
    vi.resetModules();
    vi.stubEnv("TRUSTED_PROXY_HOPS", undefined);
    vi.stubEnv("TRUST_PROXY", undefined);
    try {
      const fresh = await import("./client-ip");
      expect(fresh.clientIp(xff("203.0.113.5"))).toBeNull();
      expect(fresh.clientIp(new Headers({ "x-real-ip": "203.0.113.5" }))).toBeNull();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("with TRUSTED_PROXY_HOPS=0 ignores X-Forwarded-For and X-Real-IP", () => {
    setEnv("TRUSTED_PROXY_HOPS", 0);
    expect(clientIp(xff("203.0.113.5"))).toBeNull();
    expect(clientIp(xff("6.6.6.6, 203.0.113.5", { "x-real-ip": "7.7.7.7" }))).toBeNull();
  });

  it("with one trusted proxy takes the right-most entry, the one that proxy appended", () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    expect(clientIp(xff("203.0.113.5"))).toBe("203.0.113.5");
    // A caller's own X-Forwarded-For ends up on the left: rotating it changes nothing.
    expect(clientIp(xff("6.6.6.6, 203.0.113.5"))).toBe("203.0.113.5");
    expect(clientIp(xff("1.1.1.1,2.2.2.2 ,  203.0.113.5"))).toBe("203.0.113.5");
    // X-Real-IP is not what the proxy appends: a caller could send it.
    expect(clientIp(new Headers({ "x-real-ip": "7.7.7.7" }))).toBeNull();
    expect(clientIp(xff("2001:db8::1"))).toBe("2001:db8::1");
  });

  it("with N trusted proxies takes the Nth entry from the right", () => {
    setEnv("TRUSTED_PROXY_HOPS", 2);
    expect(clientIp(xff("6.6.6.6, 203.0.113.5, 10.0.0.2"))).toBe("203.0.113.5");
    // Fewer entries than proxies: the request did not come through all of them, so nothing can be believed.
    expect(clientIp(xff("203.0.113.5"))).toBeNull();
  });

  it("refuses an entry that is not an IP address", () => {
    setEnv("TRUSTED_PROXY_HOPS", 1);
    expect(clientIp(xff("6.6.6.6, not-an-ip"))).toBeNull();
    expect(clientIp(xff(""))).toBeNull();
    expect(clientIp(new Headers())).toBeNull();
  });

  it("still reads the old TRUST_PROXY=1 as one trusted proxy", () => {
    setEnv("TRUSTED_PROXY_HOPS", undefined as never);
    setEnv("TRUST_PROXY", true);
    expect(clientIp(xff("6.6.6.6, 203.0.113.5"))).toBe("203.0.113.5");
    setEnv("TRUST_PROXY", false);
    expect(clientIp(xff("6.6.6.6, 203.0.113.5"))).toBeNull();
  });
});

describe("addressKey", () => {
  it("puts callers without a believable address in one shared bucket", async () => {
    const { addressKey } = await import("./client-ip");
    expect(addressKey(null)).toBe(addressKey(null));
    expect(addressKey(null)).not.toBe(addressKey("203.0.113.5"));
  });

  it("keys IPv6 by its /64, so one subscriber cannot rotate through their own prefix", async () => {
    const { addressKey } = await import("./client-ip");
    expect(addressKey("2001:db8:1:2::1")).toBe(addressKey("2001:0db8:0001:0002:ffff:1:2:3"));
    expect(addressKey("2001:db8:1:2::1")).not.toBe(addressKey("2001:db8:1:3::1"));
    expect(addressKey("::ffff:203.0.113.5")).toBe(addressKey("203.0.113.5"));
    expect(addressKey("203.0.113.5")).not.toBe(addressKey("203.0.113.6"));
  });
});
