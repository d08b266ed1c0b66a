/**
 * The templates in emails/: every `.tsx` file whose name does not start with `_` (those are shared pieces). Read by
 * the template test and by `npm run email:preview`, so a template added to the folder is checked and previewed
 * without being listed anywhere.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import type { ComponentType } from "react";

export const EMAIL_STREAMS = ["transactional", "notification", "marketing"] as const;
export type TemplateStream = (typeof EMAIL_STREAMS)[number];

export const EMAILS_DIR = import.meta.dirname;

/** Template names (file names without `.tsx`), sorted. */
export function templateNames(dir = EMAILS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".tsx") && !f.startsWith("_") && !f.startsWith("."))
    .map((f) => f.slice(0, -".tsx".length))
    .sort();
}

/** What a template file exports, unchecked: the test says what is missing. */
export interface TemplateModule {
  default?: ComponentType<Record<string, unknown>> & { PreviewProps?: Record<string, unknown> };
  stream?: unknown;
}

export async function loadTemplate(name: string, dir = EMAILS_DIR): Promise<TemplateModule> {
  // An absolute path: both vitest and tsx (the preview script) import it as written.
  return (await import(path.join(dir, `${name}.tsx`))) as TemplateModule;
}
