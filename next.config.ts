import os from "node:os";
import type { NextConfig } from "next";
import { devHosts } from "./src/lib/dev-origins";

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
  async headers() {
    return [
      {
        source: "/(.*)",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
        ],
      },
    ];
  },
};

export default nextConfig;
