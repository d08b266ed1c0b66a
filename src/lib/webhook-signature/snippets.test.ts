/**
 * The README's verification snippets (issue 16, acceptance 2) run as people would copy them: the TypeScript one is
 * written to a file and imported, the Python one run with python3 (skipped, saying so, where python3 is missing).
 * Both accept a signature made by the sender's code and refuse a replay older than 5 minutes, a changed body, another
 * secret and a malformed header. The README's "Outbound webhooks" section must show exactly these two blocks.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasPython, importTypescriptSnippet, runPythonSnippet, snippetDir, type SnippetCase, type VerifyTradsyWebhook } from "@/test/webhook-snippets";
import { newWebhookSecret, signatureHeader } from ".";
import { PYTHON_SNIPPET, TYPESCRIPT_SNIPPET } from "./snippets";

const scratch = snippetDir();
afterAll(scratch.dispose);

const SECRET = newWebhookSecret();
// Non-ASCII and a price with many decimals: the signature covers the raw bytes, whatever the JSON holds.
const BODY = JSON.stringify({ id: "evt_snip", type: "signal.closed", created: "2026-12-06T20:00:00.000Z", data: { note: "Gewinn ✓ €", exitPrice: "0.000012345" } });
const now = Math.floor(Date.now() / 1000);
const header = signatureHeader(SECRET, BODY, now);

/** [case, expected] for both snippets. */
const CASES: [string, SnippetCase, boolean][] = [
  ["a fresh signature (the clock's own now)", { body: BODY, header, secret: SECRET }, true],
  ["the same, 299 s later", { body: BODY, header, secret: SECRET, now: now + 299 }, true],
  ["a replay 301 s later", { body: BODY, header, secret: SECRET, now: now + 301 }, false],
  ["a replay 10 minutes later", { body: BODY, header, secret: SECRET, now: now + 600 }, false],
  ["a timestamp 6 minutes ahead", { body: BODY, header, secret: SECRET, now: now - 360 }, false],
  ["a changed body", { body: BODY.replace("0.000012345", "0.000012346"), header, secret: SECRET }, false],
  ["another secret", { body: BODY, header, secret: newWebhookSecret() }, false],
  ["t moved forward", { body: BODY, header: header.replace(`t=${now}`, `t=${now + 1}`), secret: SECRET }, false],
  ["no v1", { body: BODY, header: `t=${now}`, secret: SECRET }, false],
  ["no t", { body: BODY, header: header.replace(`t=${now},`, ""), secret: SECRET }, false],
  ["garbage", { body: BODY, header: "garbage", secret: SECRET }, false],
  ["a non-hex v1", { body: BODY, header: `t=${now},v1=ünïcode`, secret: SECRET }, false],
  ["two v1 values, the second right", { body: BODY, header: `t=${now},v1=${"0".repeat(64)},${header.split(",")[1]}`, secret: SECRET }, true],
];

describe("the TypeScript verification snippet", () => {
  let verify: VerifyTradsyWebhook;
  beforeAll(async () => {
    verify = await importTypescriptSnippet(scratch.dir);
  });

  it.each(CASES)("%s", (_, c, expected) => {
    expect(verify(c.body, c.header, c.secret, c.now)).toBe(expected);
    expect(verify(Buffer.from(c.body, "utf8"), c.header, c.secret, c.now)).toBe(expected);
  });
});

describe.skipIf(!hasPython)(`the Python verification snippet${hasPython ? "" : " (SKIPPED: python3 is not installed on this machine)"}`, () => {
  it("answers every case as documented", () => {
    const answers = runPythonSnippet(scratch.dir, CASES.map(([, c]) => c));
    expect(Object.fromEntries(CASES.map(([name], i) => [name, answers[i]]))).toEqual(Object.fromEntries(CASES.map(([name, , e]) => [name, e])));
  });
});

/** The README's fenced blocks of `lang` in the "Outbound webhooks" section, or null when there is no such section. */
function readmeSnippets(readme: string): { typescript: string[]; python: string[] } | null {
  const heading = /^(#{2,4}) Outbound webhooks\b.*$/m.exec(readme);
  if (!heading) return null;
  const rest = readme.slice(heading.index + heading[0].length);
  const next = new RegExp(`^#{1,${heading[1]!.length}} `, "m").exec(rest.replace(/^```[\s\S]*?^```/gm, (m) => m.replace(/#/g, " ")));
  const section = next ? rest.slice(0, next.index) : rest;
  const blocks = (langs: string) => [...section.matchAll(new RegExp(`^\`\`\`(?:${langs})\\n([\\s\\S]*?)^\`\`\`$`, "gm"))].map((m) => m[1]!);
  return { typescript: blocks("ts|typescript"), python: blocks("py|python") };
}

describe("the README", () => {
  it('shows these two snippets, exactly, in its "Outbound webhooks" section', () => {
    const readme = readFileSync(path.join(import.meta.dirname, "../../../README.md"), "utf8");
    const found = readmeSnippets(readme);
    expect(found, 'README.md has no "Outbound webhooks" section (## / ### / #### Outbound webhooks)').not.toBeNull();
    expect(found!.typescript).toEqual([TYPESCRIPT_SNIPPET]);
    expect(found!.python).toEqual([PYTHON_SNIPPET]);
  });
});
