/**
 * The two-factor section's pieces that a person (and the e2e test, which computes codes from the shown key) reads:
 * the key as text, the QR code as an image with no script or inline markup, the labelled code field, the recovery
 * codes file, and the notice admins are sent to.
 */
import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { AdminRequiredNotice } from "./two-factor-panel";
import { SecretKey, TwoFactorEnrolment } from "./two-factor-enrolment";
import { groupSecret, recoveryCodesFile, svgDataUrl } from "./two-factor-text";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const QR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29"><path fill="#ffffff" d="M0 0h29v29H0z"/><path stroke="#000000" d="M1 1.5h7"/></svg>';

describe("groupSecret", () => {
  it("groups the key by four, dropping any spaces it came with", () => {
    expect(groupSecret(SECRET)).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect(groupSecret("ABCDEF")).toBe("ABCD EF");
    expect(groupSecret(" AB CD E ")).toBe("ABCD E");
    expect(groupSecret("")).toBe("");
  });
});

describe("svgDataUrl", () => {
  it("is a base64 data: URL of exactly the SVG", () => {
    const url = svgDataUrl(QR);
    expect(url.startsWith("data:image/svg+xml;base64,")).toBe(true);
    expect(Buffer.from(url.slice("data:image/svg+xml;base64,".length), "base64").toString("utf8")).toBe(QR);
  });
});

describe("recoveryCodesFile", () => {
  it("names the account and the time, says what the codes are for, and lists each code on its own line", () => {
    const codes = Array.from({ length: 10 }, (_, i) => `bcdf${i + 2}-ghjk${i + 2}`.slice(0, 11));
    const text = recoveryCodesFile(codes, { email: "ana@example.com", now: new Date("2026-12-07T09:05:00Z") });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Tradsy recovery codes");
    expect(text).toContain("Account: ana@example.com");
    expect(text).toContain("Made: 2026-12-07 09:05 UTC");
    expect(text).toMatch(/signs you in once/);
    for (const code of codes) expect(lines).toContain(code);
    expect(text.endsWith("\n")).toBe(true);
    expect(recoveryCodesFile(codes, { now: new Date(0) })).not.toContain("Account:");
  });
});

describe("the set-up steps", () => {
  const html = renderToStaticMarkup(
    <TwoFactorEnrolment enrolment={{ secret: SECRET, otpauthUrl: "otpauth://totp/Tradsy:ana", qrSvg: QR }} onConfirm={async () => undefined} onCancel={() => {}} />,
  );

  it("show the key grouped, with the plain key in data-secret for a test to read", () => {
    expect(html).toMatch(new RegExp(`<code[^>]*data-testid="totp-secret"[^>]*data-secret="${SECRET}"[^>]*>JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP</code>`));
    expect(renderToStaticMarkup(<SecretKey secret={SECRET} />)).toContain(">Copy key</button>");
  });

  it("show the QR code as an <img> of a data: URL: no inline SVG or script in the page", () => {
    expect(html).toContain(`<img src="${svgDataUrl(QR)}" alt="QR code that adds Tradsy to your authenticator app"`);
    expect(html).not.toContain("<svg xmlns");
    expect(html).not.toContain("<script");
  });

  it("ask for the first code in a field labelled Authentication code, tied to its hint, with Confirm", () => {
    const id = html.match(/<label for="([^"]+)"[^>]*>Authentication code<\/label>/)?.[1];
    expect(id).toBeTruthy();
    expect(html).toMatch(new RegExp(`<input[^>]*id="${id}"[^>]*aria-describedby="${id}-hint"`));
    expect(html).toMatch(new RegExp(`<input[^>]*id="${id}"[^>]*autoComplete="one-time-code"|<input[^>]*autoComplete="one-time-code"[^>]*id="${id}"`));
    expect(html).toContain(">Confirm</button>");
    // Recovery codes do not exist yet: no way to switch to one here.
    expect(html).not.toContain("Use a recovery code");
  });
});

describe("the notice for admins sent to turn it on", () => {
  it("says plainly that the admin area needs two-factor sign-in while it is off", () => {
    const html = renderToStaticMarkup(<AdminRequiredNotice enabled={false} />);
    expect(html).toContain('role="alert"');
    expect(html).toContain("Admins must turn on two-factor sign-in before using the admin area.");
  });

  it("points back to the admin area once it is on", () => {
    const html = renderToStaticMarkup(<AdminRequiredNotice enabled />);
    expect(html).not.toContain("Admins must turn on");
    expect(html).toContain('href="/admin"');
  });
});
