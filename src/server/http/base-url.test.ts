/**
 * The base URL of links (issue 11, item 3): APP_URL when set; in development without it, the address the page was
 * opened on, only for a host the dev server serves on its own port; production refuses to run without APP_URL.
 */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { devServerWithoutAppUrl, useEnvOverrides } from "@/test/env";
import { devHosts } from "@/lib/dev-origins";
import { appBaseUrl, allowedRequestOrigin, assertAppUrlConfigured, MissingAppUrlError } from "./base-url";
import { systemContext } from "@/server/services/context";
import { requestServiceContext } from "./service-context";

const setEnv = useEnvOverrides();
const req = (headers: Record<string, string>) => new Headers(headers);

/** Development on port 3212 with no APP_URL and no trusted proxy: the case the issue met. */
function devOn3212() {
  devServerWithoutAppUrl(setEnv, 3212);
}

describe("appBaseUrl", () => {
  it("is APP_URL whenever it is set, whatever the request says", () => {
    devOn3212();
    setEnv("APP_URL", "https://signals.example.com");
    expect(appBaseUrl(req({ host: "127.0.0.1:3212" }))).toBe("https://signals.example.com");
    expect(appBaseUrl()).toBe("https://signals.example.com");
    setEnv("NODE_ENV", "production");
    expect(appBaseUrl(req({ host: "evil.example" }))).toBe("https://signals.example.com");
  });

  it("in development follows the address the page was opened on, with its port", () => {
    devOn3212();
    expect(appBaseUrl(req({ host: "127.0.0.1:3212" }))).toBe("http://127.0.0.1:3212");
    expect(appBaseUrl(req({ host: "localhost:3212" }))).toBe("http://localhost:3212");
    expect(appBaseUrl(req({ host: "[::1]:3212" }))).toBe("http://[::1]:3212");
    expect(appBaseUrl(req({ host: "app.localhost:3212" }))).toBe("http://app.localhost:3212");
    expect(appBaseUrl(req({ host: "LOCALHOST:3212" }))).toBe("http://localhost:3212");
  });

  it("in development follows this machine's own network addresses, the ones next dev prints", () => {
    devOn3212();
    const network = devHosts(os.networkInterfaces()).filter((h) => !["localhost", "127.0.0.1", "[::1]"].includes(h));
    for (const host of network) expect(appBaseUrl(req({ host: `${host}:3212` }))).toBe(`http://${host}:3212`);
  });

  it("refuses a foreign Host (or the right host on another port) and falls back to localhost on the server's port", () => {
    devOn3212();
    const fallback = "http://localhost:3212";
    for (const host of [
      "evil.example",
      "evil.example:3212",
      "127.0.0.1:9999",
      "localhost",
      "localhost:3212@evil.example",
      "evil.example#@localhost:3212",
      "localhost:3212/evil",
      "127.0.0.1.evil.example:3212",
      "localhost.evil.example:3212",
      "",
    ]) {
      expect(appBaseUrl(req({ host })), host).toBe(fallback);
    }
    expect(appBaseUrl(req({}))).toBe(fallback);
    expect(appBaseUrl()).toBe(fallback);
  });

  it("believes X-Forwarded-Host and -Proto only behind a trusted proxy, and even then only for an allowed host", () => {
    devOn3212();
    const forwarded = (host: string, proto = "https") => req({ host: "127.0.0.1:3212", "x-forwarded-host": host, "x-forwarded-proto": proto });
    // No trusted proxy: the caller's own forwarding headers change nothing.
    expect(appBaseUrl(forwarded("evil.example:3212"))).toBe("http://127.0.0.1:3212");
    expect(appBaseUrl(forwarded("localhost:3212"))).toBe("http://127.0.0.1:3212");
    setEnv("TRUSTED_PROXY_HOPS", 1);
    expect(appBaseUrl(forwarded("localhost:3212"))).toBe("https://localhost:3212");
    expect(appBaseUrl(forwarded("evil.example:3212"))).toBe("http://localhost:3212");
    expect(appBaseUrl(forwarded("localhost:3212", "javascript"))).toBe("http://localhost:3212");
  });

  it("without PORT assumes Next's default port 3000", () => {
    devOn3212();
    setEnv("PORT", undefined);
    expect(appBaseUrl(req({ host: "127.0.0.1:3000" }))).toBe("http://127.0.0.1:3000");
    expect(appBaseUrl(req({ host: "127.0.0.1:3212" }))).toBe("http://localhost:3000");
    expect(appBaseUrl()).toBe("http://localhost:3000");
  });

  it("in production without APP_URL refuses, and start-up refuses to run", () => {
    devOn3212();
    expect(() => assertAppUrlConfigured()).not.toThrow();
    setEnv("NODE_ENV", "production");
    expect(() => appBaseUrl(req({ host: "127.0.0.1:3212" }))).toThrow(MissingAppUrlError);
    expect(() => appBaseUrl()).toThrow(/without APP_URL/);
    expect(() => assertAppUrlConfigured()).toThrow(MissingAppUrlError);
    setEnv("APP_URL", "https://signals.example.com");
    expect(() => assertAppUrlConfigured()).not.toThrow();
  });

  it("a context for work without a request needs APP_URL only when it builds a link", () => {
    devOn3212();
    setEnv("NODE_ENV", "production");
    // A seed or a job in production without APP_URL: building its context must not fail, only a link would.
    const ctx = systemContext();
    expect(() => ctx.baseUrl).toThrow(MissingAppUrlError);
    setEnv("APP_URL", "https://signals.example.com");
    expect(systemContext().baseUrl).toBe("https://signals.example.com");
  });
});

describe("allowedRequestOrigin", () => {
  it("is null for a host the dev server does not serve", () => {
    devOn3212();
    expect(allowedRequestOrigin(req({ host: "127.0.0.1:3212" }))).toBe("http://127.0.0.1:3212");
    expect(allowedRequestOrigin(req({ host: "evil.example:3212" }))).toBeNull();
  });
});

describe("a request's ServiceContext", () => {
  it("carries the request's base URL, for the services that build links", () => {
    devOn3212();
    expect(requestServiceContext(req({ host: "127.0.0.1:3212" })).baseUrl).toBe("http://127.0.0.1:3212");
    expect(requestServiceContext(req({ host: "evil.example:3212" })).baseUrl).toBe("http://localhost:3212");
  });
});
