/** The signed-in devices list as a person reads it: this browser first and marked, each device named, its address and times. */
import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { DevicesPanel, deviceName, type DeviceView } from "./devices-panel";

vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh: () => undefined, replace: () => undefined }) }));
vi.mock("@/trpc/react", () => ({
  useTRPC: () => ({
    sessions: {
      revoke: { mutationOptions: () => ({ mutationFn: async () => ({ signedOutCurrent: false }) }) },
      revokeAll: { mutationOptions: () => ({ mutationFn: async () => ({ ok: true }) }) },
    },
  }),
}));

const base = { ip: "203.0.113.7", createdAt: new Date("2026-12-01T10:00:00Z"), lastSeenAt: new Date("2026-12-06T10:00:00Z"), twoFactor: false };
const SESSIONS: DeviceView[] = [
  { ...base, id: "phone", current: false, browser: "Safari 18", os: "iOS", ip: null },
  { ...base, id: "laptop", current: true, browser: "Chrome 131", os: "macOS", twoFactor: true },
];

const render = (sessions: DeviceView[]) =>
  renderToStaticMarkup(
    <QueryClientProvider client={new QueryClient()}>
      <DevicesPanel sessions={sessions} />
    </QueryClientProvider>,
  );

describe("DevicesPanel", () => {
  it("lists this browser first with its badge, names each device and says what it knows", () => {
    const html = render(SESSIONS);
    expect(html).toContain("Signed-in devices");
    expect(html.indexOf("Chrome 131 on macOS")).toBeLessThan(html.indexOf("Safari 18 on iOS"));
    expect(html.match(/>This device</g)).toHaveLength(1); // the badge, on the current row only
    expect(html).toContain("203.0.113.7");
    expect(html).toContain(">Unknown<"); // no address recorded
    expect(html).toContain('aria-label="Sign out Safari 18 on iOS"');
    expect(html).toContain('aria-label="Sign out of this device (Chrome 131 on macOS)"');
    expect(html).toContain("Sign out of all devices");
    expect(html).toContain('dateTime="2026-12-01T10:00:00.000Z"');
  });

  it("says so when there is nothing to list, and offers no sign-out", () => {
    const html = render([]);
    expect(html).toContain("No signed-in devices to show.");
    expect(html).not.toContain("Sign out of all devices");
  });
});

describe("deviceName", () => {
  it("reads browser on OS, or the browser alone when the OS is unknown", () => {
    expect(deviceName({ browser: "Firefox 133", os: "Windows" })).toBe("Firefox 133 on Windows");
    expect(deviceName({ browser: "curl 8", os: "Unknown OS" })).toBe("curl 8");
  });
});
