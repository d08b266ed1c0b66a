import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const TESTS = ["**/*.test.ts", "**/*.test.tsx", "src/test/**"];

/**
 * The layers (STYLE.md rule 18), checked on resolved paths by `import/no-restricted-paths`: static imports,
 * `export … from`, and dynamic `import()` alike, through the `@/` alias (eslint-config-next's TypeScript resolver
 * reads tsconfig's paths) or relative paths. src/lint-rules.test.ts proves each zone fails on a deliberate breach.
 */
const zone = (target, from, message) => ({ target, from, message });
const LAYER_ZONES = {
  lib: zone("./src/lib", ["./src/server", "./src/app", "./src/trpc/server.tsx"], "src/lib is pure code shared by client and server: it imports nothing from src/server, src/app or the RSC caller."),
  components: zone("./src/components", ["./src/app"], "src/components are building blocks: they import nothing from src/app (routes compose components, not the reverse)."),
  integrations: zone("./src/server/integrations", ["./src/server/services", "./src/server/api", "./src/app"], "An integration is an adapter: it imports no services, routers or app code. Compose it where it is chosen (e.g. services/billing/gateway.ts)."),
  routers: zone("./src/server/api/routers", ["./src/server/db", "./src/server/integrations"], "Routers validate, authorise and call a service: queries and integrations go behind a service in src/server/services."),
  server: zone("./src/server", ["./src/app"], "src/server never imports src/app: move the shared code into src/server (the route then imports it)."),
};

/**
 * What test files may reach across, to check a layer from the outside (the lib and components zones hold for tests
 * too). Today: the router tests (api/routers/**) read and seed the database to check what a procedure wrote; server
 * tests drive the app's route handlers and server actions end to end (auth/actions-shape, http/body-limits,
 * services/entitlements/entitlements, services/signals/publish, services/tradingview/races); the embedded Stripe
 * integration test checks its effect through the entitlements service. Test helpers (src/test/**) likewise.
 */
const TEST_CROSSINGS = { routers: "off", server: "off", integrations: "off" };

const restricted = (rules) => ["error", { basePath: import.meta.dirname, zones: Object.entries(LAYER_ZONES).filter(([name]) => rules[name] !== "off").map(([, z]) => z) }];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".data/**", "node_modules/**", "drizzle/**", "playwright-report/**", "test-results/**", "next-env.d.ts"]),
  // Cycles src/lint-rules.test.ts writes on purpose, for as long as it lints them (with ignores off).
  globalIgnores(["src/**/.lint-fixtures/**"]),
  {
    // Test helpers named use* are vitest hook registrars, not React hooks.
    files: TESTS,
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  // ---- layers (STYLE.md rule 18) -----------------------------------------------------------------------------------
  {
    settings: {
      // Packages are never part of a cycle and are not parsed: pglite's bundle alone overflows the parser's stack.
      "import/ignore": ["node_modules"],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    ignores: TESTS,
    rules: {
      "import/no-restricted-paths": restricted({}),
      // Dynamic imports count too (no allowUnsafeDynamicCyclicDependency): a lazy import() that closes a cycle
      // still makes module order matter and hides the dependency from readers.
      "import/no-cycle": ["error", { ignoreExternal: true }],
    },
  },
  {
    // The cycle check from a route stops at src/server, src/lib and src/components: the zones above keep all three
    // from importing src/app, so no cycle through an app file can pass through them. Without this, each page (none
    // imports another) walks the whole server graph again: about 3 s of the check's 6 s.
    files: ["src/app/**/*.{ts,tsx}"],
    settings: { "import/ignore": ["node_modules", "/src/(server|lib|components)/"] },
  },
  {
    files: TESTS,
    rules: { "import/no-restricted-paths": restricted(TEST_CROSSINGS) },
  },
  {
    // Components may use server *types* (the view shapes a procedure returns, enum types): types are erased, so
    // no server code reaches the bundle. Values, and "server-only", are refused. This rule reads import specifiers
    // rather than resolved paths (import/no-restricted-paths cannot let types through), so it names the alias and
    // relative spellings, and dynamic import() is refused by no-restricted-syntax.
    files: ["src/components/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector: String.raw`ImportExpression[source.value=/^(@\/|(\.\.\/)+)(server|trpc\/server)(\/|$)/]`,
          message: "src/components import no server code.",
        },
      ],
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "server-only", message: "src/components hold no server code." }],
          patterns: [
            {
              regex: "^(@/|(\\.\\./)+)(server|trpc/server)(/|$)",
              allowTypeImports: true,
              message: "src/components import no server code (types are fine): take the data as props from the page, or call a procedure from a client component.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/lib/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", { paths: [{ name: "server-only", message: "src/lib is pure code shared by client and server." }] }],
    },
  },
  {
    files: ["src/server/api/routers/**/*.ts"],
    ignores: TESTS,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "drizzle-orm", message: "Routers run no queries: move the query into a service." }],
          patterns: [{ group: ["drizzle-orm/*"], message: "Routers run no queries: move the query into a service." }],
        },
      ],
    },
  },
]);
