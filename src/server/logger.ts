import "server-only";
import pino from "pino";
import { env } from "@/env";

/** Structured logs. Secrets never go in: tokens, keys and passwords are redacted by path as a second guard. */
export const logger = pino({
  level: env.NODE_ENV === "test" ? "silent" : env.LOG_LEVEL,
  base: { app: "tradsy" },
  redact: {
    paths: ["password", "*.password", "token", "*.token", "secret", "*.secret", "apiKey", "*.apiKey", "key", "*.key"],
    censor: "[redacted]",
  },
});
