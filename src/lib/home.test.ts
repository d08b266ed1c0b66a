import { describe, expect, it } from "vitest";
import { afterSignInPath, AFTER_SIGN_IN, homePathFor, signedInDestination } from "./home";

describe("where a person goes once signed in", () => {
  it("is the admin overview for admins and the dashboard for traders and providers", () => {
    expect(homePathFor("admin")).toBe("/admin");
    expect(homePathFor("provider")).toBe("/dashboard");
    expect(homePathFor("subscriber")).toBe("/dashboard");
  });

  it("is the page that asked, when it is on this site; otherwise the sign-in page, which knows the role by then", () => {
    expect(afterSignInPath("/providers/momentum-desk#subscribe")).toBe("/providers/momentum-desk#subscribe");
    expect(afterSignInPath(undefined)).toBe(AFTER_SIGN_IN);
    expect(afterSignInPath("")).toBe(AFTER_SIGN_IN);
    for (const foreign of ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)"]) expect(afterSignInPath(foreign)).toBe(AFTER_SIGN_IN);
  });

  it("sends someone already signed in to the page asked for, else home, never back to an auth page", () => {
    expect(signedInDestination(undefined, "admin")).toBe("/admin");
    expect(signedInDestination(undefined, "subscriber")).toBe("/dashboard");
    expect(signedInDestination("/settings?tab=keys", "admin")).toBe("/settings?tab=keys");
    expect(signedInDestination("/dashboard", "admin")).toBe("/dashboard");
    expect(signedInDestination("//evil.example", "admin")).toBe("/admin");
    expect(signedInDestination("/signin", "admin")).toBe("/admin");
    expect(signedInDestination("/signin?callbackUrl=%2Fsignin", "provider")).toBe("/dashboard");
    expect(signedInDestination("/signup?role=provider", "provider")).toBe("/dashboard");
    expect(signedInDestination("/signing-rules", "provider")).toBe("/signing-rules");
  });
});
