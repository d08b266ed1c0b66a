/**
 * Every template in emails/ (found by listing the folder, so a new one is covered without being named here) renders
 * with its PreviewProps into HTML and plain text that a reader can use: the text part matches its snapshot
 * (emails/__snapshots__/<name>.txt), nothing unresolved shows, every link is absolute, the email fits 600 px, and the
 * unsubscribe link is there exactly when the email is not transactional.
 */
import { createElement } from "react";
import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { emailStream } from "@/server/db/schema";
import { EMAIL_STREAMS, loadTemplate, templateNames } from "./_catalog";
import { EMAIL_WIDTH } from "./_layout";

const names = templateNames();

interface Rendered {
  html: string;
  text: string;
  stream: unknown;
  previewProps: Record<string, unknown>;
}

/** Loads and renders a template; throws with the template's name when it does not follow the convention. */
async function renderTemplate(name: string): Promise<Rendered> {
  const mod = await loadTemplate(name);
  const Component = mod.default;
  if (typeof Component !== "function") throw new Error(`${name}.tsx: the default export must be the email component`);
  const previewProps = Component.PreviewProps;
  if (!previewProps || typeof previewProps !== "object")
    throw new Error(`${name}.tsx: the component needs PreviewProps (<Component>.PreviewProps = {...} satisfies <Props>)`);
  const el = createElement(Component, previewProps);
  const [html, text] = await Promise.all([render(el), render(el, { plainText: true })]);
  return { html, text, stream: mod.stream, previewProps };
}

const decode = (s: string) =>
  s
    .replace(/&nbsp;/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&");

/** What a reader of the HTML sees, the preview line included: no head, styles, comments or tags. */
function visibleText(html: string): string {
  return decode(
    html
      .replace(/<head[\s\S]*?<\/head>/gi, " ")
      .replace(/<style[\s\S]*?<\/style>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, "")
      .replace(/<[^>]+>/g, " "),
  )
    .replace(/[\u200b-\u200f\u2060\ufeff\u034f\u00ad]/g, "")
    .replace(/\s+/g, " ");
}

/** Every attribute value in the HTML (hrefs, alts, titles), decoded. */
const attributeValues = (html: string) => [...html.matchAll(/\s[\w:-]+="([^"]*)"/g)].map((m) => decode(m[1]!));

const UNRESOLVED: Array<[string, RegExp]> = [
  ["{{", /\{\{/],
  ["}}", /\}\}/],
  ["undefined", /\bundefined\b/],
  ["NaN", /\bNaN\b/],
  ["[object Object]", /\[object Object\]/],
  ["null", /\bnull\b/],
];

/** The unresolved values found in a piece of text, with a few characters around each. */
function unresolvedIn(text: string): string[] {
  const found: string[] = [];
  for (const [label, re] of UNRESOLVED) {
    const m = re.exec(text);
    if (m) found.push(`${label} in "…${text.slice(Math.max(0, m.index - 30), m.index + label.length + 30).trim()}…"`);
  }
  return found;
}

const hrefsOf = (html: string) => [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => decode(m[1]!));

/** Widths wider than the email: CSS px widths and width attributes (percentages are fine). */
function widthsOver(html: string, max: number): string[] {
  const css = [...html.matchAll(/(?<![\w-])(?:max-|min-)?width:\s*(\d+)px/g)].filter((m) => Number(m[1]) > max).map((m) => m[0]);
  const attrs = [...html.matchAll(/\swidth="(\d+)"/g)].filter((m) => Number(m[1]) > max).map((m) => m[0].trim());
  return [...css, ...attrs];
}

const UNSUBSCRIBE = /unsubscribe/i;

/** Links whose target or words are about unsubscribing. */
function unsubscribeLinks(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)]
    .filter((m) => UNSUBSCRIBE.test(m[1]!) || UNSUBSCRIBE.test(visibleText(m[2]!)))
    .map((m) => decode(m[1]!));
}

describe("email templates", () => {
  it("are found in emails/", () => {
    expect(names.length, "no template found in emails/ (files named <kebab-name>.tsx)").toBeGreaterThan(0);
    for (const name of names) expect(name, `${name}.tsx: template files are named in kebab-case`).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("know every stream the outbox knows", () => {
    expect([...EMAIL_STREAMS].sort()).toEqual([...emailStream.enumValues].sort());
  });
});

describe.each(names)("email template %s", (name) => {
  // One render per template, shared by its checks; a template that fails to load fails each check with its reason.
  let rendered: Promise<Rendered> | undefined;
  const get = () => (rendered ??= renderTemplate(name));

  it("exports PreviewProps and a valid stream", async () => {
    const { stream, previewProps } = await get();
    expect(EMAIL_STREAMS as readonly unknown[], `${name}.tsx: export const stream = "transactional" | "notification" | "marketing"`).toContain(stream);
    expect(Object.keys(previewProps).length, `${name}.tsx: PreviewProps is empty`).toBeGreaterThan(0);
  });

  it("renders in the shared layout (600 px, dark-mode safe)", async () => {
    const { html } = await get();
    expect(html, `${name}: not rendered in <EmailLayout> (emails/_layout.tsx)`).toContain('<meta name="color-scheme" content="light dark"/>');
    expect(html, `${name}: the container is not ${EMAIL_WIDTH} px wide`).toContain(`max-width:${EMAIL_WIDTH}px`);
    expect(widthsOver(html, EMAIL_WIDTH), `${name}: wider than ${EMAIL_WIDTH} px`).toEqual([]);
  });

  it("shows no unresolved placeholder or value", async () => {
    const { html, text } = await get();
    expect(unresolvedIn(visibleText(html)), `${name}: unresolved in the HTML's visible text`).toEqual([]);
    expect(unresolvedIn(attributeValues(html).join(" ")), `${name}: unresolved in an HTML attribute`).toEqual([]);
    expect(unresolvedIn(text), `${name}: unresolved in the text part`).toEqual([]);
  });

  it("links only to absolute URLs", async () => {
    const { html, text } = await get();
    const hrefs = hrefsOf(html);
    expect(hrefs.length, `${name}: has no link at all`).toBeGreaterThan(0);
    expect(
      hrefs.filter((href) => !/^(https?:\/\/[^\s/]+|mailto:\S+@)/.test(href)),
      `${name}: links must be absolute (https://… or mailto:)`,
    ).toEqual([]);
    for (const href of hrefs.filter((h) => h.startsWith("http")))
      expect(text, `${name}: the text part does not show the link ${href}`).toContain(href);
  });

  it("carries an unsubscribe link exactly when it is not transactional", async () => {
    const { html, text, stream, previewProps } = await get();
    const url = previewProps.unsubscribeUrl;
    expect(EMAIL_STREAMS as readonly unknown[], `${name}.tsx: export const stream = "transactional" | "notification" | "marketing"`).toContain(stream);
    if (stream === "transactional") {
      expect(url, `${name}: a transactional email takes no unsubscribeUrl`).toBeUndefined();
      expect(unsubscribeLinks(html), `${name}: a transactional email has no unsubscribe link`).toEqual([]);
      expect(text, `${name}: a transactional email has no unsubscribe link`).not.toMatch(UNSUBSCRIBE);
    } else {
      expect(
        typeof url === "string" && /^https:\/\//.test(url),
        `${name}: a ${String(stream)} email needs PreviewProps.unsubscribeUrl (an absolute https link), got ${String(url)}`,
      ).toBe(true);
      expect(unsubscribeLinks(html), `${name}: the HTML must link to PreviewProps.unsubscribeUrl`).toContain(url);
      expect(text, `${name}: the text part must show PreviewProps.unsubscribeUrl`).toContain(url as string);
    }
  });

  it("matches its plain-text snapshot", async () => {
    const { text } = await get();
    await expect(text, `${name}: text part differs from emails/__snapshots__/${name}.txt`).toMatchFileSnapshot(`__snapshots__/${name}.txt`);
  });
});
