/**
 * The sign-in form's two steps as rendered (issue 17): email and password first; once the server says the account
 * asks for its second factor, the "Authentication code" field (numeric keyboard, one-time-code autofill) with the
 * email and password carried as hidden fields, and the "Use a recovery code" switch.
 */
import { describe, expect, it, vi } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import type { FormState } from "@/server/auth/actions";

const form = vi.hoisted(() => ({ state: {} as FormState }));
vi.mock("react", async (importOriginal) => {
  const real = await importOriginal<typeof import("react")>();
  return { ...real, useActionState: () => [form.state, () => undefined, false] };
});
vi.mock("@/server/auth/actions", () => ({ signInAction: async () => ({}) }));

const { SignInForm } = await import("./client");

const render = (state: FormState) => {
  form.state = state;
  return renderToStaticMarkup(<SignInForm callbackUrl="/dashboard" />);
};

describe("the sign-in form", () => {
  it("asks for email and password first", () => {
    const html = render({});
    expect(html).toContain(">Email</label>");
    expect(html).toContain(">Password</label>");
    expect(html).not.toContain("Authentication code");
  });

  it("asks for the authentication code once the password was right, keeping email and password", () => {
    const html = render({ step: "code", values: { email: "ada@example.com" } });
    expect(html).toMatch(/<label[^>]*>Authentication code<\/label>/);
    const input = /<input[^>]*name="code"[^>]*>/.exec(html)![0];
    expect(input).toContain('inputMode="numeric"');
    expect(input).toContain('autoComplete="one-time-code"');
    expect(html).toContain('<input type="hidden" name="email" value="ada@example.com"/>');
    expect(html).toContain('name="password"');
    expect(html).not.toContain('type="password"');
    expect(html).toContain("Use a recovery code");
  });

  it("shows the wrong-code message on the code step", () => {
    const html = render({ step: "code", message: "That code is not right.", values: { email: "ada@example.com" } });
    expect(html).toContain("That code is not right.");
    expect(html).toContain("Authentication code");
  });
});
