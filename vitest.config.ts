import os from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: {
      "@emails": path.resolve(import.meta.dirname, "emails"),
      "@": path.resolve(import.meta.dirname, "src"),
      // `server-only` throws outside React Server Components; tests run server code directly.
      "server-only": path.resolve(import.meta.dirname, "src/test/empty.ts"),
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.{ts,tsx}", "emails/**/*.test.{ts,tsx}", "bench/**/*.test.ts"],
    globalSetup: ["src/test/global-setup.ts"],
    setupFiles: ["src/test/setup.ts"],
    pool: "forks",
    // Half again as many test files at once as there are cores: integration tests spend much of their time waiting
    // (databases, child processes, timers), so two workers on two cores left ~45% of the CPU idle (measured: the
    // PGlite suite took 20.5 min with 2 workers, 9.5 min with 3 and the dumped template).
    maxWorkers: Math.max(2, Math.ceil(os.availableParallelism() * 1.5)),
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: { DATA_DIR: ".data/test", LOG_LEVEL: "silent" },
    server: { deps: { inline: ["next-auth", "@auth/core"] } },
  },
});
