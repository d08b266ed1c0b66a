/* eslint-disable react/no-children-prop -- fixtures call createElement in a .ts file, where the layout's props type requires children */
/**
 * Every template in emails/ (found by listing the folder, so a new one is covered without being named here) renders
 * with its PreviewProps into HTML and plain text that a reader can use: the text part matches its snapshot
 * (emails/__snapshots__/<name>.txt), nothing unresolved shows, every link is absolute, the email fits 600 px, and the
 * unsubscribe link is there exactly when the email is not transactional.
 */
import { createElement, type ComponentType } from "react";
import { render } from "@react-email/render";
import { describe, expect, it } from "vitest";
import { emailStream } from "@/server/db/schema";
import { EMAIL_STREAMS, loadTemplate, templateNames } from "./_catalog";
import { EMAIL_WIDTH, EmailLayout } from "./_layout";

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
  if (typeof Component !== "function")
    throw new Error(
      `${name}.tsx: the default export must be the email component`,
    );
  const previewProps = Component.PreviewProps;
  if (!previewProps || typeof previewProps !== "object")
    throw new Error(
      `${name}.tsx: the component needs PreviewProps (<Component>.PreviewProps = {...} satisfies <Props>)`,
    );
  const el = createElement(Component, previewProps);
  const [html, text] = await Promise.all([
    render(el),
    render(el, { plainText: true }),
  ]);
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
const attributeValues = (html: string) =>
  [...html.matchAll(/\s[\w:-]+="([^"]*)"/g)].map((m) => decode(m[1]!));

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
    if (m)
      found.push(
        `${label} in "…${text.slice(Math.max(0, m.index - 30), m.index + label.length + 30).trim()}…"`,
      );
  }
  return found;
}

const hrefsOf = (html: string) =>
  [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => decode(m[1]!));

/** Widths wider than the email: CSS px widths and width attributes (percentages are fine). */
function widthsOver(html: string, max: number): string[] {
  const css = [...html.matchAll(/(?<![\w-])(?:max-|min-)?width:\s*(\d+)px/g)]
    .filter((m) => Number(m[1]) > max)
    .map((m) => m[0]);
  const attrs = [...html.matchAll(/\swidth="(\d+)"/g)]
    .filter((m) => Number(m[1]) > max)
    .map((m) => m[0].trim());
  return [...css, ...attrs];
}

const UNSUBSCRIBE = /unsubscribe/i;

/** Links whose target or words are about unsubscribing. */
function unsubscribeLinks(html: string): string[] {
  return [...html.matchAll(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)]
    .filter(
      (m) => UNSUBSCRIBE.test(m[1]!) || UNSUBSCRIBE.test(visibleText(m[2]!)),
    )
    .map((m) => decode(m[1]!));
}

const STREAM_HINT =
  'export const stream = "transactional" | "notification" | "marketing"';

/** The checks, each returning what is wrong in words that name the template (empty when all is well). */
function conventionProblems(
  name: string,
  { stream, previewProps }: Rendered,
): string[] {
  const problems: string[] = [];
  if (!(EMAIL_STREAMS as readonly unknown[]).includes(stream))
    problems.push(`${name}.tsx: ${STREAM_HINT} (found ${String(stream)})`);
  if (Object.keys(previewProps).length === 0)
    problems.push(`${name}.tsx: PreviewProps is empty`);
  return problems;
}

function layoutProblems(name: string, { html }: Rendered): string[] {
  const problems: string[] = [];
  if (!html.includes('<meta name="color-scheme" content="light dark"/>'))
    problems.push(
      `${name}: not rendered in <EmailLayout> (emails/_layout.tsx): no color-scheme meta`,
    );
  if (!html.includes(`max-width:${EMAIL_WIDTH}px`))
    problems.push(`${name}: the container is not ${EMAIL_WIDTH} px wide`);
  for (const w of widthsOver(html, EMAIL_WIDTH))
    problems.push(`${name}: wider than ${EMAIL_WIDTH} px: ${w}`);
  return problems;
}

function unresolvedProblems(name: string, { html, text }: Rendered): string[] {
  return [
    ...unresolvedIn(visibleText(html)).map(
      (u) => `${name}: unresolved in the HTML's visible text: ${u}`,
    ),
    ...unresolvedIn(attributeValues(html).join(" ")).map(
      (u) => `${name}: unresolved in an HTML attribute: ${u}`,
    ),
    ...unresolvedIn(text).map(
      (u) => `${name}: unresolved in the text part: ${u}`,
    ),
  ];
}

function linkProblems(name: string, { html, text }: Rendered): string[] {
  const hrefs = hrefsOf(html);
  if (hrefs.length === 0) return [`${name}: has no link at all`];
  return [
    ...hrefs
      .filter((href) => !/^(https?:\/\/[^\s/]+|mailto:\S+@)/.test(href))
      .map(
        (href) =>
          `${name}: link is not absolute (https://… or mailto:): "${href}"`,
      ),
    ...hrefs
      .filter((href) => href.startsWith("http") && !text.includes(href))
      .map((href) => `${name}: the text part does not show the link ${href}`),
  ];
}

function unsubscribeProblems(
  name: string,
  { html, text, stream, previewProps }: Rendered,
): string[] {
  const url = previewProps.unsubscribeUrl;
  if (!(EMAIL_STREAMS as readonly unknown[]).includes(stream))
    return [
      `${name}.tsx: ${STREAM_HINT}, so it is unknown whether it needs an unsubscribe link`,
    ];
  const problems: string[] = [];
  if (stream === "transactional") {
    if (url !== undefined)
      problems.push(`${name}: a transactional email takes no unsubscribeUrl`);
    for (const link of unsubscribeLinks(html))
      problems.push(
        `${name}: a transactional email has no unsubscribe link, found ${link}`,
      );
    if (UNSUBSCRIBE.test(text))
      problems.push(
        `${name}: a transactional email's text part mentions unsubscribing`,
      );
    return problems;
  }
  if (typeof url !== "string" || !/^https:\/\//.test(url))
    return [
      `${name}: a ${String(stream)} email needs PreviewProps.unsubscribeUrl (an absolute https link), got ${String(url)}`,
    ];
  if (!unsubscribeLinks(html).includes(url))
    problems.push(
      `${name}: the HTML does not link to PreviewProps.unsubscribeUrl (${url})`,
    );
  if (!text.includes(url))
    problems.push(
      `${name}: the text part does not show PreviewProps.unsubscribeUrl (${url})`,
    );
  return problems;
}

describe("email templates", () => {
  it("are found in emails/", () => {
    expect(
      names.length,
      "no template found in emails/ (files named <kebab-name>.tsx)",
    ).toBeGreaterThan(0);
    for (const name of names)
      expect(
        name,
        `${name}.tsx: template files are named in kebab-case`,
      ).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("know every stream the outbox knows", () => {
    expect([...EMAIL_STREAMS].sort()).toEqual(
      [...emailStream.enumValues].sort(),
    );
  });
});

describe.each(names)("email template %s", (name) => {
  // One render per template, shared by its checks; a template that fails to load fails each check with its reason.
  let rendered: Promise<Rendered> | undefined;
  const get = () => (rendered ??= renderTemplate(name));

  it("exports PreviewProps and a valid stream", async () => {
    expect(conventionProblems(name, await get())).toEqual([]);
  });

  it("renders in the shared layout (600 px, dark-mode safe)", async () => {
    expect(layoutProblems(name, await get())).toEqual([]);
  });

  it("shows no unresolved placeholder or value", async () => {
    expect(unresolvedProblems(name, await get())).toEqual([]);
  });

  it("links only to absolute URLs, each shown in the text part", async () => {
    expect(linkProblems(name, await get())).toEqual([]);
  });

  it("carries an unsubscribe link exactly when it is not transactional", async () => {
    expect(unsubscribeProblems(name, await get())).toEqual([]);
  });

  it("matches its plain-text snapshot", async () => {
    const { text } = await get();
    await expect(
      text,
      `${name}: text part differs from emails/__snapshots__/${name}.txt`,
    ).toMatchFileSnapshot(`__snapshots__/${name}.txt`);
  });
});

/** The checks catch what they are for: templates broken on purpose (built here, not files, so discovery skips them). */
describe("the template checks", () => {
  const renderFixture = async (
    Component: ComponentType<{ who?: unknown }>,
    props: Record<string, unknown>,
    stream: unknown,
  ): Promise<Rendered> => {
    const el = createElement(Component, props);
    const [html, text] = await Promise.all([
      render(el),
      render(el, { plainText: true }),
    ]);
    return { html, text, stream, previewProps: props };
  };
  const all = (name: string, r: Rendered) => [
    ...conventionProblems(name, r),
    ...layoutProblems(name, r),
    ...unresolvedProblems(name, r),
    ...linkProblems(name, r),
    ...unsubscribeProblems(name, r),
  ];

  it("pass a sound template", async () => {
    const Sound = () =>
      createElement(EmailLayout, {
        preview: "Hello",
        children: createElement(
          "a",
          { href: "https://tradsy.example/x" },
          "Open",
        ),
      });
    expect(
      all(
        "sound",
        await renderFixture(Sound, { name: "Ada" }, "transactional"),
      ),
    ).toEqual([]);
  });

  it("name the template and each fault of a broken one", async () => {
    const Broken = ({ who }: { who?: unknown }) =>
      createElement(EmailLayout, {
        preview: `Hi ${String(who)}`,
        children: [
          createElement(
            "p",
            { key: "p" },
            "Dear {{name}}, your P&L is ",
            String(Number("x")),
            " and ",
            String({}),
          ),
          createElement("a", { key: "a", href: "/relative/path" }, "Open"),
          createElement("table", { key: "t", style: { width: 720 } }),
        ],
      });
    const problems = all(
      "broken-fixture",
      await renderFixture(Broken, { name: "Ada" }, "notification"),
    );
    expect(problems.every((p) => p.startsWith("broken-fixture"))).toBe(true);
    const expected = [
      /wider than 600 px: width:720px/,
      /unresolved in the HTML's visible text: \{\{/,
      /unresolved in the HTML's visible text: \}\}/,
      /unresolved in the HTML's visible text: undefined/,
      /unresolved in the HTML's visible text: NaN/,
      /unresolved in the HTML's visible text: \[object Object\]/,
      /unresolved in the text part: \{\{/,
      /link is not absolute \(https:\/\/… or mailto:\): "\/relative\/path"/,
      /a notification email needs PreviewProps.unsubscribeUrl/,
    ];
    for (const re of expected)
      expect(
        problems.some((p) => re.test(p)),
        `${re} in ${JSON.stringify(problems, null, 1)}`,
      ).toBe(true);
  });

  it("catch a missing stream, a null, an unsubscribe link where none belongs and one missing where it must be", async () => {
    const Plain = ({ who }: { who?: unknown }) =>
      createElement(EmailLayout, {
        preview: "Hi",
        unsubscribeUrl: "https://tradsy.example/api/unsubscribe/t",
        children: createElement("p", null, `Hello ${String(who)}`),
      });
    const transactional = all(
      "leaky-receipt",
      await renderFixture(
        Plain,
        {
          who: null,
          unsubscribeUrl: "https://tradsy.example/api/unsubscribe/t",
        },
        "transactional",
      ),
    );
    expect(transactional).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^leaky-receipt: unresolved in the HTML's visible text: null/,
        ),
        "leaky-receipt: a transactional email takes no unsubscribeUrl",
        "leaky-receipt: a transactional email has no unsubscribe link, found https://tradsy.example/api/unsubscribe/t",
      ]),
    );
    const NoFooter = () =>
      createElement(EmailLayout, {
        preview: "Hi",
        children: createElement(
          "a",
          { href: "https://tradsy.example/x" },
          "Open",
        ),
      });
    expect(
      all(
        "quiet-alert",
        await renderFixture(
          NoFooter,
          { unsubscribeUrl: "https://tradsy.example/api/unsubscribe/t" },
          "notification",
        ),
      ),
    ).toEqual([
      "quiet-alert: the HTML does not link to PreviewProps.unsubscribeUrl (https://tradsy.example/api/unsubscribe/t)",
      "quiet-alert: the text part does not show PreviewProps.unsubscribeUrl (https://tradsy.example/api/unsubscribe/t)",
    ]);
    expect(
      all("no-stream", await renderFixture(NoFooter, { a: 1 }, undefined)),
    ).toEqual([
      `no-stream.tsx: ${STREAM_HINT} (found undefined)`,
      `no-stream.tsx: ${STREAM_HINT}, so it is unknown whether it needs an unsubscribe link`,
    ]);
  });
});
