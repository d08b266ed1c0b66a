/**
 * Validated environment. Code reads `env.X`, never `process.env`.
 * Every variable is optional with an offline default: an unset integration falls back to its embedded adapter
 * (see README "Configuration"). Secrets that must exist in production are enforced at start-up by
 * `src/server/secrets.ts`, not here, so `next build` needs no secrets.
 */
import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

const flag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

export const env = createEnv({
  server: {
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: z.string().url().optional(),
    /**
     * Redis (redis://host:6379/0): rate-limit counts are kept there, shared by every replica. Unset: they are kept in
     * the database (still shared, one round trip more per limited request). See src/server/rate-limit.ts.
     */
    REDIS_URL: z
      .string()
      .url()
      .refine((v) => /^rediss?:\/\//i.test(v), "REDIS_URL starts with redis:// or rediss://")
      .optional(),
    DATA_DIR: z.string().default(".data"),
    /**
     * The public address of the app, for links that leave the page (emails, the TradingView webhook URL, the chain
     * URL). Required in production (start-up refuses without it, like AUTH_SECRET); in development, when unset, links
     * follow the address the page was opened on (see src/server/http/base-url.ts).
     */
    APP_URL: z
      .string()
      .url()
      .refine((v) => /^https?:\/\//i.test(v), "APP_URL starts with http:// or https://")
      .transform((v) => v.replace(/\/+$/, ""))
      .optional(),
    /** The port the server listens on; `next dev` and `next start` set it to the one they bound. */
    PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters").optional(),
    ENCRYPTION_KEY: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "ENCRYPTION_KEY must be 64 hex characters (32 bytes)")
      .optional(),
    /**
     * The key being rotated away from, during a rotation only: values sealed with it still open until
     * `npm run keys:rotate` has re-sealed them with ENCRYPTION_KEY (README "Rotating the encryption key").
     */
    ENCRYPTION_KEY_PREVIOUS: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, "ENCRYPTION_KEY_PREVIOUS must be 64 hex characters (32 bytes)")
      .optional(),
    AUTH_GITHUB_ID: z.string().optional(),
    AUTH_GITHUB_SECRET: z.string().optional(),
    AUTH_GOOGLE_ID: z.string().optional(),
    AUTH_GOOGLE_SECRET: z.string().optional(),
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
    INNGEST_DEV: z.string().optional(),
    INNGEST_BASE_URL: z.string().url().optional(),
    SEED_DEMO: flag,
    /** Serves the benchmark-only routes under /api/bench (npm run bench sets it on its own server). */
    BENCH_ROUTES: flag,
    /**
     * How many proxies in front of the app append to X-Forwarded-For. 0 (default): the header is not believed and
     * every anonymous caller shares one rate-limit budget; 1: the right-most entry (your one proxy's view of the
     * client); N: the Nth entry from the right. See README "Behind a proxy".
     */
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).optional(),
    /** Deprecated alias: `1` means TRUSTED_PROXY_HOPS=1 when that is unset. */
    TRUST_PROXY: flag,
    /** Embedded job runner (no Inngest): a crashed process's runs are taken over this long after its last renewal. */
    JOBS_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    /** Embedded job runner: how often each process looks for due runs (sleeps ending, retries, other replicas' work). */
    JOBS_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
    /**
     * Embedded job runner: how many job attempts each process executes at once. Attempts mostly wait on I/O (an
     * exchange's answer, the database, whose pool is 10 connections), so this can be well above the CPU count; each
     * exchange connection still places one order at a time (the copy-connection job's concurrency key). Unset: 50 on
     * PostgreSQL, 8 on the embedded database (one connection: 50 attempts at once starved each other there, measured).
     */
    JOBS_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1000).optional(),
    /** Embedded job runner: on SIGTERM, how long running steps get to finish before the process exits. */
    JOBS_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
    MARKET_DATA_DIR: z.string().optional(),
    /**
     * Offers the "Local test exchange" connection (an in-process fake Binance: no keys, no network, no money) in
     * production builds too, for demos; development and tests always offer it.
     */
    LOCAL_TEST_EXCHANGE: flag,
    /** Paper copy trading: one modelled slippage for every symbol, in basis points; unset, each symbol's is derived from its recorded candles. */
    PAPER_SLIPPAGE_BPS: z.string().regex(/^\d{1,3}(\.\d{1,2})?$/, "PAPER_SLIPPAGE_BPS is basis points like 2 or 3.5").optional(),
    MARKET_EXCHANGE: z.string().default("binance"),
    /** Largest distance between a market entry and the current price, as a fraction (0.01 = 1%). */
    SIGNAL_ENTRY_TOLERANCE: z.string().regex(/^0?\.\d+$/, "SIGNAL_ENTRY_TOLERANCE is a fraction like 0.01").default("0.01"),
    /** TradingView alerts older than this (by their time field) are refused as stale. */
    TRADINGVIEW_MAX_ALERT_AGE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(120),
    /** Signals one provider may publish per minute, from every source (form, API, TradingView). */
    /** Accounts one client address may create per hour (the e2e run, all from 127.0.0.1, raises it). */
    SIGN_UP_LIMIT_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(10),
    SIGNAL_PUBLISH_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    /**
     * Alerts one TradingView webhook token may send per minute; 0 turns the limit off. TradingView does not retry a
     * refused alert (4xx), so a refusal loses it: raise this for providers whose strategies fire in bursts.
     */
    TRADINGVIEW_TOKEN_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(120),
    /** Stripe API key (sk_test_… / sk_live_…). Unset: the embedded dev checkout stands in for Stripe; no money moves. */
    STRIPE_SECRET_KEY: z.string().startsWith("sk_", "STRIPE_SECRET_KEY starts with sk_").optional(),
    /** Signing secret of the /api/webhooks/stripe endpoint (whsec_…). Generated into DATA_DIR in embedded mode. */
    STRIPE_WEBHOOK_SECRET: z.string().startsWith("whsec_", "STRIPE_WEBHOOK_SECRET starts with whsec_").optional(),
    /** Days a past-due subscription keeps access while Stripe retries the payment. */
    BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(60).default(7),
    /** Resend API key (re_…): emails are sent through Resend. Unset: the outbox is the mailbox (/admin/emails); nothing is sent. */
    RESEND_API_KEY: z.string().startsWith("re_", "RESEND_API_KEY starts with re_").optional(),
    /** The From of every email, "Name <address>" or an address on a domain verified in Resend. Required with RESEND_API_KEY. */
    EMAIL_FROM: z
      .string()
      .regex(
        /^(?:[^<>\r\n]+ <[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
        'EMAIL_FROM is "Name <mail@your-domain.com>" or mail@your-domain.com',
      )
      .optional(),
    /** Signing secret (whsec_…) of the /api/webhooks/resend endpoint; unset, that endpoint answers 404. */
    RESEND_WEBHOOK_SECRET: z.string().startsWith("whsec_", "RESEND_WEBHOOK_SECRET starts with whsec_").optional(),
    /** Another Resend API root, e.g. a local fake (http://127.0.0.1:PORT); unset: https://api.resend.com. */
    RESEND_BASE_URL: z.string().url().optional(),
    /** Telegram bot token (from @BotFather, "123456:ABC…"): Telegram alerts are offered. Unset: no Telegram channel. */
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "TELEGRAM_BOT_TOKEN looks like 123456789:AAH… (from @BotFather)")
      .optional(),
    /** The secret Telegram sends in X-Telegram-Bot-Api-Secret-Token to /api/webhooks/telegram (setWebhook's secret_token). */
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, "TELEGRAM_WEBHOOK_SECRET is 16–256 of A-Z, a-z, 0-9, _ and -")
      .optional(),
    /** Another Telegram Bot API root, e.g. a local fake (http://127.0.0.1:PORT); unset: https://api.telegram.org. */
    TELEGRAM_API_BASE_URL: z.string().url().optional(),
    /** Another root for Discord webhook URLs, e.g. a local fake; unset: the URL as the user gave it (discord.com). */
    DISCORD_API_BASE_URL: z.string().url().optional(),
    /**
     * Tests and local demos only: comma-separated host[:port] entries outbound sends may reach over http or on
     * private addresses (local fakes). Start-up refuses it in production (src/server/http/safe-fetch.ts).
     */
    OUTBOUND_URL_ALLOWLIST: z.string().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /**
     * Bearer token for /api/metrics (Prometheus: `authorization: Bearer <token>`). Unset: /api/metrics answers 404, so
     * nothing about the platform's load is public by default.
     */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN is at least 16 characters").optional(),
    /** Where backups are kept when no bucket is configured; default `<DATA_DIR>/backups`. */
    BACKUP_DIR: z.string().optional(),
    /** S3-compatible bucket for backups (with the other BACKUP_S3_* variables); unset: BACKUP_DIR on this disk. */
    BACKUP_S3_BUCKET: z.string().min(3).optional(),
    /** Custom endpoint (MinIO, R2, a local fake: http://127.0.0.1:9000); unset: AWS's endpoint for the region. */
    BACKUP_S3_ENDPOINT: z.string().url().optional(),
    BACKUP_S3_REGION: z.string().default("us-east-1"),
    BACKUP_S3_ACCESS_KEY_ID: z.string().optional(),
    BACKUP_S3_SECRET_ACCESS_KEY: z.string().optional(),
    /** A key prefix inside the bucket ("tradsy/prod/"); default none. */
    BACKUP_S3_PREFIX: z.string().default(""),
    /** Path-style URLs (bucket in the path), which MinIO and most local fakes need. Default on. */
    BACKUP_S3_FORCE_PATH_STYLE: z
      .enum(["0", "1", "true", "false"])
      .default("1")
      .transform((v) => v === "1" || v === "true"),
  },
  client: {},
  experimental__runtimeEnv: {},
  emptyStringAsUndefined: true,
  skipValidation: process.env.SKIP_ENV_VALIDATION === "1",
});
