/**
 * Runs before every test file. Outbound sends (webhooks, Discord, Telegram) resolve host names through safe-fetch's
 * resolver: in tests it answers no name, so nothing can reach DNS or the network by accident (a Discord URL on
 * discord.com, say). Local fakes are reached by IP literal; a test that needs a name injects its own resolver.
 *
 * Imported in a hook, not at the top: a top-level import would build the validated env (src/env.ts) before the test
 * file's own `vi.hoisted` settings of process.env (the Resend webhook route test sets its secret that way).
 */
import { beforeAll } from "vitest";

beforeAll(async () => {
  const { setOutboundResolver } = await import("@/server/http/safe-fetch");
  setOutboundResolver(async (hostname) => {
    throw new Error(`DNS is off in tests (${hostname}): use a local fake by IP literal, or inject a resolver (src/test/setup.ts)`);
  });
});
