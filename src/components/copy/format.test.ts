import { describe, expect, it } from "vitest";
import { displayPrice, displayQuantity, exact, followingState } from "./format";

describe("displayPrice", () => {
  it.each([
    ["20242.5786459", "20,242.58"],
    ["970.04588186", "970.05"],
    ["23.456789", "23.457"],
    ["1.0834567", "1.0835"],
    ["0.0712345678", "0.071235"],
    ["0.000012345678", "0.00001235"],
    ["20242.5", "20,242.50"],
    ["1.1", "1.10"],
    ["64000", "64,000.00"],
    ["0", "0.00"],
  ])("%s → %s", (v, want) => expect(displayPrice(v)).toBe(want));
  it("says nothing for nothing", () => expect(displayPrice(null)).toBe("—"));
  it("keeps the exact value for titles", () => expect(exact("20242.5786459")).toBe("20,242.5786459"));
});

describe("displayQuantity", () => {
  it.each([
    ["0.049395123", "0.0493951"],
    ["1234.56789", "1,234.57"],
    ["12", "12"],
    ["0.5000", "0.5"],
    ["0.000000012345", "0.00000001"],
  ])("%s → %s", (v, want) => expect(displayQuantity(v)).toBe(want));
});

describe("followingState", () => {
  const base = { enabled: false, pausedReason: "paused", killSwitch: "platform" as const, entitled: true, access: "subscription" as const };
  it("shows the follower's own pause before the platform stop", () => {
    const s = followingState(base);
    expect(s.label).toBe("Paused");
    expect(s.platform?.reason).toMatch(/platform/);
  });
  it("says the platform stopped a following that was copying", () => {
    const s = followingState({ ...base, enabled: true, pausedReason: null });
    expect(s.label).toBe("Copy on");
    expect(s.platform?.reason).toMatch(/Stopped by the platform/);
  });
});
