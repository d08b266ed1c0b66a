/**
 * Runs the README's webhook verification snippets (src/lib/webhook-signature/snippets.ts) as people would copy them:
 * the TypeScript one written to a file and imported, the Python one run with python3.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PYTHON_SNIPPET, TYPESCRIPT_SNIPPET } from "@/lib/webhook-signature/snippets";

export type VerifyTradsyWebhook = (rawBody: string | Buffer, signatureHeader: string, secret: string, nowSeconds?: number) => boolean;

export interface SnippetCase {
  body: string;
  header: string;
  secret: string;
  /** Unix seconds; unset: the snippet's own clock. */
  now?: number;
}

export const hasPython = spawnSync("python3", ["--version"]).status === 0;

/** A scratch directory for the snippets' files; `dispose` removes it. */
export function snippetDir(): { dir: string; dispose: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "tradsy-snippets-"));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The TypeScript snippet, imported from a file holding exactly its text. */
export async function importTypescriptSnippet(dir: string): Promise<VerifyTradsyWebhook> {
  const file = path.join(dir, `verify-${Date.now()}-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, TYPESCRIPT_SNIPPET);
  const mod = (await import(/* @vite-ignore */ file)) as { verifyTradsyWebhook: VerifyTradsyWebhook };
  return mod.verifyTradsyWebhook;
}

/** Runs the Python snippet on each case in one python3 process (bodies passed as their UTF-8 bytes); its answers. */
export function runPythonSnippet(dir: string, cases: SnippetCase[]): boolean[] {
  writeFileSync(path.join(dir, "tradsy_verify.py"), PYTHON_SNIPPET);
  const driver = [
    "import base64, json, sys",
    "from tradsy_verify import verify_tradsy_webhook",
    "cases = json.load(sys.stdin)",
    "print(json.dumps([verify_tradsy_webhook(base64.b64decode(c['body']), c['header'], c['secret'], c.get('now')) for c in cases]))",
  ].join("\n");
  const input = JSON.stringify(cases.map((c) => ({ ...c, body: Buffer.from(c.body, "utf8").toString("base64") })));
  return JSON.parse(execFileSync("python3", ["-c", driver], { cwd: dir, input, encoding: "utf8" })) as boolean[];
}
