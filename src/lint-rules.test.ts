/**
 * The layer rules and the cycle check in eslint.config.mjs (STYLE.md rule 18) fail on a deliberate breach, so a rule
 * that silently stopped matching (a moved folder, an alias the resolver no longer reads) is noticed here rather than
 * by the next cycle. Breaches are linted as text at a path inside the layer they breach (nothing is written there);
 * a cycle needs real files (the cycle check reads imports from disk), written to a hidden folder that `npm run lint`
 * ignores and only this test lints.
 */
import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { ESLint } from "eslint";

const ROOT = path.resolve(import.meta.dirname, "..");
const CONFIG = path.join(ROOT, "eslint.config.mjs");
const LAYER_RULES = new Set(["import/no-restricted-paths", "@typescript-eslint/no-restricted-imports", "no-restricted-syntax", "import/no-cycle"]);

// The cycle check cannot run on text whose file is not on disk; the zone rules resolve imports from the path alone.
const zones = new ESLint({ cwd: ROOT, overrideConfigFile: CONFIG, overrideConfig: { rules: { "import/no-cycle": "off" } } });

async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await zones.lintText(code, { filePath: path.join(ROOT, file) });
  expect(result!.messages.filter((m) => m.fatal), `${file} parses`).toEqual([]);
  return result!.messages.filter((m) => m.ruleId && LAYER_RULES.has(m.ruleId)).map((m) => m.ruleId!);
}

describe("layer zones", () => {
  const breaches: [layer: string, file: string, code: string, rule: string][] = [
    ["lib -> server", "src/lib/fixture.ts", 'import { db } from "@/server/db";\nexport const x = db;\n', "import/no-restricted-paths"],
    ["lib -> server (a type)", "src/lib/fixture.ts", 'import type { Db } from "@/server/db";\nexport type X = Db;\n', "import/no-restricted-paths"],
    ["lib -> app (relative)", "src/lib/stats/fixture.ts", 'import { POST } from "../../app/api/webhooks/stripe/route";\nexport const x = POST;\n', "import/no-restricted-paths"],
    ["lib -> server-only", "src/lib/fixture.ts", 'import "server-only";\nexport const x = 1;\n', "@typescript-eslint/no-restricted-imports"],
    ["components -> server", "src/components/shell/fixture.tsx", 'import { auth } from "@/server/auth";\nexport const x = auth;\n', "@typescript-eslint/no-restricted-imports"],
    ["components -> server (relative)", "src/components/shell/fixture.tsx", 'import { auth } from "../../server/auth";\nexport const x = auth;\n', "@typescript-eslint/no-restricted-imports"],
    ["components -> server (dynamic import)", "src/components/shell/fixture.tsx", 'export const load = () => import("@/server/auth");\n', "no-restricted-syntax"],
    ["components -> server (re-export)", "src/components/shell/fixture.ts", 'export { auth } from "@/server/auth";\n', "@typescript-eslint/no-restricted-imports"],
    ["components -> the RSC caller", "src/components/shell/fixture.tsx", 'import { api } from "@/trpc/server";\nexport const x = api;\n', "@typescript-eslint/no-restricted-imports"],
    ["components -> server-only", "src/components/fixture.ts", 'import "server-only";\nexport const x = 1;\n', "@typescript-eslint/no-restricted-imports"],
    ["components -> app", "src/components/fixture.ts", 'import { advanceClockAction } from "@/app/admin/revenue/actions";\nexport const x = advanceClockAction;\n', "import/no-restricted-paths"],
    ["integrations -> services", "src/server/integrations/stripe/fixture.ts", 'import { getPaymentsGateway } from "@/server/services/billing";\nexport const x = getPaymentsGateway;\n', "import/no-restricted-paths"],
    ["integrations -> app (dynamic import)", "src/server/integrations/stripe/fixture.ts", 'export const load = () => import("@/app/api/webhooks/stripe/route");\n', "import/no-restricted-paths"],
    ["routers -> drizzle-orm", "src/server/api/routers/signals/fixture.ts", 'import { eq } from "drizzle-orm";\nexport const x = eq;\n', "@typescript-eslint/no-restricted-imports"],
    ["routers -> db", "src/server/api/routers/signals/fixture.ts", 'import { db } from "@/server/db";\nexport const x = db;\n', "import/no-restricted-paths"],
    ["routers -> db schema (relative)", "src/server/api/routers/signals/fixture.ts", 'import { providers } from "../../../db/schema";\nexport const x = providers;\n', "import/no-restricted-paths"],
    ["routers -> integrations", "src/server/api/routers/signals/fixture.ts", 'import { getMarketData } from "@/server/integrations/market-data";\nexport const x = getMarketData;\n', "import/no-restricted-paths"],
    ["server -> app", "src/server/services/billing/fixture.ts", 'import { POST } from "@/app/api/webhooks/stripe/route";\nexport const x = POST;\n', "import/no-restricted-paths"],
    ["server -> app (re-export)", "src/server/jobs/fixture.ts", 'export { POST } from "@/app/api/inngest/route";\n', "import/no-restricted-paths"],
    ["lib tests stay pure too", "src/lib/stats/fixture.test.ts", 'import { db } from "@/server/db";\nexport const x = db;\n', "import/no-restricted-paths"],
  ];
  it.each(breaches)("%s fails lint", async (_layer, file, code, rule) => {
    expect(await layerProblems(file, code)).toContain(rule);
  });

  const allowed: [what: string, file: string, code: string][] = [
    ["components use lib, ui and their own folder", "src/components/track-record/fixture.ts", 'import { cn } from "@/components/ui/cn";\nimport { formatCents } from "@/lib/money";\nimport { x } from "./server";\nexport const y = [cn, formatCents, x];\n'],
    ["components use server types", "src/components/track-record/fixture.ts", 'import type { SignalView } from "@/server/services/signals/views";\nexport type X = SignalView;\n'],
    ["routers call services", "src/server/api/routers/signals/fixture.ts", 'import { listSymbols } from "@/server/services/market-data";\nexport const x = listSymbols;\n'],
    ["services use integrations and the database", "src/server/services/billing/fixture.ts", 'import { db } from "@/server/db";\nimport { createStripeClient } from "@/server/integrations/stripe";\nexport const x = [db, createStripeClient];\n'],
    ["the app uses the server", "src/app/fixture.ts", 'import { db } from "@/server/db";\nexport const x = db;\n'],
    // The test exemptions (eslint.config.mjs, TEST_CROSSINGS): tests check a layer from the outside.
    ["router tests read the database", "src/server/api/routers/signals/fixture.test.ts", 'import { eq } from "drizzle-orm";\nimport { db } from "@/server/db";\nexport const x = [eq, db];\n'],
    ["server tests drive the app's routes", "src/server/services/billing/fixture.test.ts", 'import { POST } from "@/app/api/webhooks/stripe/route";\nexport const x = POST;\n'],
    ["integration tests check through services", "src/server/integrations/stripe/fixture.test.ts", 'import { accessTo } from "@/server/services/entitlements";\nexport const x = accessTo;\n'],
  ];
  it.each(allowed)("%s", async (_what, file, code) => {
    expect(await layerProblems(file, code)).toEqual([]);
  });
});

describe("import cycles", () => {
  // Hidden (TypeScript's and vitest's globs skip dot folders) and in eslint.config.mjs's ignores, so nothing else
  // ever sees these files; `ignore: false` lints them here. Unique per run, removed afterwards.
  const run = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const fixtureDir = (layer: string) => path.join(ROOT, layer, ".lint-fixtures", run);
  const aliasOf = (dir: string) => `@/${path.relative(path.join(ROOT, "src"), dir).split(path.sep).join("/")}`;
  const cycles = new ESLint({ cwd: ROOT, overrideConfigFile: CONFIG, ignore: false });
  afterAll(() => {
    for (const layer of ["src", "src/app"]) fs.rmSync(path.dirname(fixtureDir(layer)), { recursive: true, force: true });
  });

  async function cycleProblems(files: Record<string, string>, lint: string, dir = fixtureDir("src")): Promise<string[]> {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, code] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), code);
    const [result] = await cycles.lintFiles([path.join(dir, lint)]);
    return result!.messages.filter((m) => m.ruleId === "import/no-cycle").map((m) => m.message);
  }

  it("a two-file cycle through the @/ alias fails lint", async () => {
    const found = await cycleProblems(
      { "a.ts": `import { b } from "${aliasOf(fixtureDir("src"))}/b";\nexport const a = () => b();\n`, "b.ts": 'import { a } from "./a";\nexport const b = () => a;\n' },
      "a.ts",
    );
    expect(found).toHaveLength(1);
  });

  it("a cycle between app files fails lint (the check from src/app stops only at the layers that never import it)", async () => {
    const dir = fixtureDir("src/app");
    const found = await cycleProblems(
      { "page.tsx": `import { Client } from "${aliasOf(dir)}/client";\nexport const Page = () => Client;\n`, "client.tsx": 'import { Page } from "./page";\nexport const Client = () => Page;\n' },
      "page.tsx",
      dir,
    );
    expect(found).toHaveLength(1);
  });

  it("a dynamic import closing a cycle fails lint too", async () => {
    const found = await cycleProblems(
      { "c.ts": 'export const c = async () => (await import("./d")).d;\n', "d.ts": 'import { c } from "./c";\nexport const d = () => c;\n' },
      "c.ts",
    );
    expect(found).toHaveLength(1);
  });

  it("a type-only import back is not a cycle", async () => {
    const found = await cycleProblems(
      { "e.ts": 'import { f } from "./f";\nexport type E = { n: number };\nexport const e = f;\n', "f.ts": 'import type { E } from "./e";\nexport const f = (x: E) => x.n;\n' },
      "e.ts",
    );
    expect(found).toEqual([]);
  });

  it("the modules of the two cycles issue 10 broke are in none", async () => {
    // services/signals -> jobs/events -> inline runner -> jobs -> price monitor -> services/signals, and
    // integrations/stripe/embedded -> the app's webhook route -> services/billing -> integrations/stripe.
    const files = ["src/server/services/signals/index.ts", "src/server/services/signals/announce.ts", "src/server/jobs/events.ts", "src/server/jobs/inline/runner.ts", "src/server/integrations/stripe/embedded.ts", "src/server/services/billing/index.ts"];
    const results = await new ESLint({ cwd: ROOT, overrideConfigFile: CONFIG }).lintFiles(files.map((f) => path.join(ROOT, f)));
    expect(results.flatMap((r) => r.messages.filter((m) => m.ruleId && LAYER_RULES.has(m.ruleId)).map((m) => `${path.relative(ROOT, r.filePath)}: ${m.message}`))).toEqual([]);
  });
});
