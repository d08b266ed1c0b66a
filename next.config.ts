import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native, WASM and worker-spawning packages must be loaded by Node at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "@node-rs/argon2", "pino", "postgres", "croner", "ccxt", "drizzle-orm"],
  typedRoutes: false,
  poweredByHeader: false,
  experimental: {
    // Next's default, written down because src/proxy.ts answers 413 above the same limit (its test compares them).
    serverActions: { bodySizeLimit: "1mb" },
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
