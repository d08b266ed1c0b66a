import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";
import { env } from "@/env";

/**
 * The request a line is logged for, where the code logging it has no request logger of its own (Auth.js's logger
 * callbacks, a webhook's inner steps): route handlers run in it (`inRequestScope`), so every line logged while they
 * work carries the request's id.
 */
const requestScope = new AsyncLocalStorage<string>();

export function inRequestScope<T>(requestId: string, work: () => T): T {
  return requestScope.run(requestId, work);
}

/** A request logger (a child bound to `requestId`) already says which request; any other line gets the scope's. */
export const requestScopeMixin = (_line: object, _level: number, log: Logger): object => {
  const requestId = requestScope.getStore();
  return requestId && !("requestId" in log.bindings()) ? { requestId } : {};
};

/** Structured logs. Secrets never go in: tokens, keys and passwords are redacted by path as a second guard. */
export const logger = pino({
  level: env.NODE_ENV === "test" ? "silent" : env.LOG_LEVEL,
  base: { app: "tradsy" },
  redact: {
    paths: ["password", "*.password", "token", "*.token", "secret", "*.secret", "apiKey", "*.apiKey", "key", "*.key"],
    censor: "[redacted]",
  },
  mixin: requestScopeMixin,
});
