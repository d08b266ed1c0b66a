/**
 * `npm run email:preview`: renders every template in emails/ (see ./_catalog.ts) with its PreviewProps into
 * .email-preview/ at the repository root: <name>.html and <name>.txt (the plain-text part, as the outbox stores it)
 * for each, and index.html listing them. The folder is recreated on each run and git-ignored.
 *
 * Runs under plain `tsx`, not `tsx --conditions=react-server` like the bench: under that condition react-dom/server
 * (which `render` loads) refuses to run. Templates import only react-email and src/lib, so no server code is needed.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { render } from "@react-email/render";
import { EMAILS_DIR, EMAIL_STREAMS, loadTemplate, templateNames } from "./_catalog";

const OUT_DIR = path.join(path.dirname(EMAILS_DIR), ".email-preview");

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

interface Rendered {
  name: string;
  stream: string;
}

async function renderOne(name: string): Promise<Rendered> {
  const mod = await loadTemplate(name);
  const Component = mod.default;
  if (typeof Component !== "function") throw new Error("the default export is not a component");
  if (!Component.PreviewProps) throw new Error("the component has no PreviewProps");
  if (!(EMAIL_STREAMS as readonly unknown[]).includes(mod.stream)) throw new Error(`stream is ${String(mod.stream)}, not one of ${EMAIL_STREAMS.join(", ")}`);
  const el = createElement(Component, Component.PreviewProps);
  const [html, text] = await Promise.all([render(el), render(el, { plainText: true })]);
  writeFileSync(path.join(OUT_DIR, `${name}.html`), html);
  writeFileSync(path.join(OUT_DIR, `${name}.txt`), text);
  return { name, stream: String(mod.stream) };
}

function indexPage(rendered: Rendered[], failed: { name: string; error: string }[]): string {
  const rows = rendered
    .map(
      (r) =>
        `<tr><td><a href="${escapeHtml(r.name)}.html">${escapeHtml(r.name)}</a></td><td>${escapeHtml(r.stream)}</td><td><a href="${escapeHtml(r.name)}.html">HTML</a> · <a href="${escapeHtml(r.name)}.txt">text</a></td></tr>`,
    )
    .join("\n");
  const failures = failed.length
    ? `<h2>Failed to render</h2><ul>${failed.map((f) => `<li><strong>${escapeHtml(f.name)}</strong>: ${escapeHtml(f.error)}</li>`).join("")}</ul>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Tradsy email previews</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:56rem}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #8884}</style>
</head><body>
<h1>Tradsy email previews</h1>
<p>${rendered.length} templates rendered with their PreviewProps. Open an email and switch your system to dark mode to see its dark rendering; the text file is the plain-text part sent beside the HTML.</p>
<table><thead><tr><th>Template</th><th>Stream</th><th>Files</th></tr></thead><tbody>
${rows}
</tbody></table>
${failures}
</body></html>
`;
}

async function main(): Promise<void> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const rendered: Rendered[] = [];
  const failed: { name: string; error: string }[] = [];
  for (const name of templateNames()) {
    try {
      rendered.push(await renderOne(name));
    } catch (err) {
      failed.push({ name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const index = path.join(OUT_DIR, "index.html");
  writeFileSync(index, indexPage(rendered, failed));
  console.log(`Rendered ${rendered.length} email templates into ${OUT_DIR}`);
  console.log(`Open ${index} (file://${index}) to browse them.`);
  for (const f of failed) console.error(`Failed: ${f.name}: ${f.error}`);
  if (failed.length) process.exitCode = 1;
}

await main();
