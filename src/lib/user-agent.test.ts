import { describe, expect, it } from "vitest";
import { describeUserAgent, parseUserAgent } from "./user-agent";

const UA = {
  chromeMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  chromeAndroid:
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
  chromeIos:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
  firefoxWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  firefoxLinux: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  safariMac:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  safariIphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  edgeWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
  operaWindows:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
  chromeOs: "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  headlessChrome:
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36",
  curl: "curl/8.5.0",
};

describe("parseUserAgent", () => {
  it.each([
    [UA.chromeMac, "Chrome 131", "macOS", false],
    [UA.chromeAndroid, "Chrome 131", "Android", true],
    [UA.chromeIos, "Chrome 131", "iOS", true],
    [UA.firefoxWindows, "Firefox 133", "Windows", false],
    [UA.firefoxLinux, "Firefox 133", "Linux", false],
    [UA.safariMac, "Safari 18", "macOS", false],
    [UA.safariIphone, "Safari 18", "iOS", true],
    [UA.edgeWindows, "Edge 131", "Windows", false],
    [UA.operaWindows, "Opera 115", "Windows", false],
    [UA.chromeOs, "Chrome 131", "ChromeOS", false],
    [UA.curl, "curl 8", "Unknown OS", false],
  ])("%s", (ua, browser, os, mobile) => {
    expect(parseUserAgent(ua)).toEqual({ browser, os, mobile });
  });

  it("says unknown rather than guessing", () => {
    expect(parseUserAgent(null)).toEqual({ browser: "Unknown browser", os: "Unknown OS", mobile: false });
    expect(parseUserAgent("")).toEqual({ browser: "Unknown browser", os: "Unknown OS", mobile: false });
    expect(parseUserAgent("python-requests/2.32.3").browser).toBe("Unknown browser");
    // "HeadlessChrome/" is not "Chrome/": an automated browser is not reported as the person's Chrome.
    expect(parseUserAgent(UA.headlessChrome)).toEqual({ browser: "Unknown browser", os: "Linux", mobile: false });
  });

  it("Safari is only Safari when no other browser claims the agent", () => {
    expect(parseUserAgent(UA.chromeMac).browser).not.toMatch(/Safari/);
    expect(parseUserAgent(UA.edgeWindows).browser).not.toMatch(/Chrome/);
  });
});

describe("describeUserAgent", () => {
  it("words the device for an email", () => {
    expect(describeUserAgent(UA.chromeMac)).toBe("Chrome 131 on macOS");
    expect(describeUserAgent(UA.curl)).toBe("curl 8");
    expect(describeUserAgent(undefined)).toBe("an unknown browser");
  });
});
