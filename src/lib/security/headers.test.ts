import { describe, expect, it } from "vitest";
import { buildCsp, HSTS, isNonce, nonceFromCsp, PERMISSIONS_POLICY, securityHeaders } from "./headers";
import { oauthProvidersFrom } from "@/lib/oauth-providers";

/** The policy as a map of directive to its sources. */
const parse = (csp: string) => new Map(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
const NONCE = "q1w2e3r4t5y6u7i8o9p0aa==";

describe("buildCsp", () => {
  it("a page's policy: scripts only with this request's nonce (and what they load), no inline or eval", () => {
    const csp = parse(buildCsp({ nonce: NONCE, dev: false }));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'", "https://js.stripe.com"]);
    expect(csp.get("script-src")).not.toContain("'unsafe-inline'");
    expect(csp.get("script-src")).not.toContain("'unsafe-eval'");
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
  });

  it("styles allow inline with no nonce (a nonce would switch 'unsafe-inline' off for Radix, sonner, charts)", () => {
    for (const nonce of [NONCE, undefined]) {
      const style = parse(buildCsp({ nonce, dev: false })).get("style-src")!;
      expect(style).toEqual(["'self'", "'unsafe-inline'"]);
      expect(style.join(" ")).not.toMatch(/nonce/);
    }
  });

  it("the static policy has no nonce and no inline script", () => {
    const csp = buildCsp({ dev: false });
    expect(csp).not.toMatch(/nonce|strict-dynamic/);
    expect(parse(csp).get("script-src")).toEqual(["'self'", "https://js.stripe.com"]);
    expect(nonceFromCsp(csp)).toBeNull();
  });

  it("allows eval only under next dev", () => {
    expect(parse(buildCsp({ nonce: NONCE, dev: true })).get("script-src")).toContain("'unsafe-eval'");
    expect(parse(buildCsp({ dev: true })).get("script-src")).toContain("'unsafe-eval'");
    expect(buildCsp({ nonce: NONCE, dev: false })).not.toContain("unsafe-eval");
  });

  it("lets Stripe and our own data images and downloads through, nothing else off-site", () => {
    const csp = parse(buildCsp({ nonce: NONCE, dev: false }));
    expect(csp.get("frame-src")).toEqual(["'self'", "https://js.stripe.com", "https://hooks.stripe.com"]);
    expect(csp.get("connect-src")).toEqual(["'self'", "https://api.stripe.com"]);
    expect(csp.get("img-src")).toEqual(["'self'", "data:", "blob:", "https://*.stripe.com"]);
    expect(csp.get("form-action")).toContain("https://checkout.stripe.com");
    for (const [, values] of csp) for (const v of values) expect(v, v).not.toMatch(/^(\*|https?:|http:\/\/)$/);
  });

  it("allows GitHub's and Google's sign-in pages as form targets only when those sign-ins are configured", () => {
    const formAction = (oauth?: { github: boolean; google: boolean }) => parse(buildCsp({ nonce: NONCE, dev: false, oauth })).get("form-action")!;
    for (const none of [undefined, { github: false, google: false }]) {
      expect(formAction(none)).not.toContain("https://github.com");
      expect(formAction(none)).not.toContain("https://accounts.google.com");
    }
    expect(formAction({ github: true, google: false })).toContain("https://github.com");
    expect(formAction({ github: true, google: false })).not.toContain("https://accounts.google.com");
    expect(formAction({ github: false, google: true })).toContain("https://accounts.google.com");
    expect(formAction({ github: false, google: true })).not.toContain("https://github.com");
    expect(formAction({ github: true, google: true })).toEqual(expect.arrayContaining(["'self'", "https://github.com", "https://accounts.google.com"]));
    // Configured means both halves set, as Auth.js is given the provider (src/server/auth/config.ts).
    expect(oauthProvidersFrom({ AUTH_GITHUB_ID: "id", AUTH_GITHUB_SECRET: "secret", AUTH_GOOGLE_ID: "id" })).toEqual({ github: true, google: false });
    expect(oauthProvidersFrom({ AUTH_GITHUB_ID: "", AUTH_GITHUB_SECRET: "secret" })).toEqual({ github: false, google: false });
  });

  it("Next finds the nonce where it looks for it, and refuses to build a policy around a broken one", () => {
    expect(nonceFromCsp(buildCsp({ nonce: NONCE, dev: false }))).toBe(NONCE);
    for (const bad of ["short", "has space in it 0123", "abc'; script-src *", "x".repeat(200)]) {
      expect(isNonce(bad), bad).toBe(false);
      expect(() => buildCsp({ nonce: bad, dev: false }), bad).toThrow();
    }
  });
});

describe("securityHeaders", () => {
  const get = (production: boolean) => new Map(securityHeaders({ production }).map((h) => [h.key, h.value]));

  it("sends nosniff, the referrer policy, the frame ban and the permissions policy always", () => {
    for (const production of [true, false]) {
      const h = get(production);
      expect(h.get("X-Content-Type-Options")).toBe("nosniff");
      expect(h.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
      expect(h.get("X-Frame-Options")).toBe("DENY");
      expect(h.get("Permissions-Policy")).toBe(PERMISSIONS_POLICY);
    }
    for (const off of ["camera=()", "microphone=()", "geolocation=()", 'payment=(self "https://js.stripe.com")']) {
      expect(PERMISSIONS_POLICY.split(", ")).toContain(off);
    }
  });

  it("sends HSTS in production only", () => {
    expect(get(true).get("Strict-Transport-Security")).toBe(HSTS);
    expect(HSTS).toBe("max-age=63072000; includeSubDomains");
    expect(get(false).has("Strict-Transport-Security")).toBe(false);
  });
});
