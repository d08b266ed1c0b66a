import os from "node:os";
import type { NextConfig } from "next";
import { devHosts } from "./src/lib/dev-origins";
import { buildCsp, securityHeaders } from "./src/lib/security/headers";

// `next dev` / `next build` and `next start` set NODE_ENV before this file is read.
const dev = process.env.NODE_ENV === "development";
const production = process.env.NODE_ENV === "production";

const nextConfig: NextConfig = {
  // Native, WASM and worker-spawning packages must be loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino", "postgres", "croner", "ccxt", "drizzle-orm"],
  typedRoutes: false,
  poweredByHeader: false,
  // `next dev` serves its scripts and hot-reload socket only to pages opened on localhost unless told otherwise: at
  // http://127.0.0.1:3000 or the "Network" address it prints, pages would render but nothing would be interactive.
  // This machine's own addresses, read when the dev server starts (development only; production ignores it).
  allowedDevOrigins: devHosts(os.networkInterfaces()),
  experimental: {
    // Next's default, written down because src/proxy.ts answers 413 above the same limit (its test compares them).
    serverActions: { bodySizeLimit: "1mb" },
    authInterrupts: true, // forbidden(): a page not for the signed-in role answers 403 with a forbidden.tsx (src/server/auth/guards.ts)
  },
  // Security headers on every response (src/lib/security/headers.ts says what each allows and why). The CSP here is
  // the static one, without a nonce; page requests get one with a fresh nonce from src/proxy.ts, which replaces it.
  async headers() {
    return [
      {
        source: "/(.*)",
        headers: [...securityHeaders({ production }), { key: "Content-Security-Policy", value: buildCsp({ dev }) }],
      },
    ];
  },
};

export default nextConfig;
