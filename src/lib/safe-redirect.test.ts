import { describe, expect, it } from "vitest";
import { safeRedirectPath } from "./safe-redirect";

describe("safeRedirectPath", () => {
  it.each([
    ["/revenue?onboarding=return", "/revenue?onboarding=return"],
    ["/subscriptions/welcome?session_id=cs_test_1", "/subscriptions/welcome?session_id=cs_test_1"],
    ["/providers/momentum-desk?checkout=canceled#subscribe", "/providers/momentum-desk?checkout=canceled#subscribe"],
    ["/a/../b", "/b"],
    // An encoded newline is just part of the path; only raw control characters are refused.
    ["/%0a", "/%0a"],
  ])("keeps the same-origin path %j", (raw, expected) => {
    expect(safeRedirectPath(raw, "/fallback")).toBe(expected);
  });

  it.each([
    "https://evil.example/revenue",
    "http://127.0.0.1:3100/revenue",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "revenue",
    "",
    " /revenue",
    "/revenue\n",
  ])("refuses %j", (raw) => {
    expect(safeRedirectPath(raw, "/fallback")).toBe("/fallback");
  });

  it("refuses non-strings and very long values", () => {
    expect(safeRedirectPath(null, "/x")).toBe("/x");
    expect(safeRedirectPath(["/a"], "/x")).toBe("/x");
    expect(safeRedirectPath(`/${"a".repeat(3000)}`, "/x")).toBe("/x");
  });
});
