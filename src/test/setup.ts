/**
 * Runs before every test file. Outbound sends (webhooks, Discord, Telegram) resolve host names through safe-fetch's
 * resolver: in tests it answers no name, so nothing can reach DNS or the network by accident (a Discord URL on
 * discord.com, say). Local fakes are reached by IP literal; a test that needs a name injects its own resolver.
 */
import { setOutboundResolver } from "@/server/http/safe-fetch";

setOutboundResolver(async (hostname) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (DNS is off in tests: src/test/setup.ts)`), { code: "ENOTFOUND", hostname });
});
