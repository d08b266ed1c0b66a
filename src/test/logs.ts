/**
 * What the request loggers write, for tests. The root logger is silent under NODE_ENV=test; every request's logger
 * is its child (`logger.child({ requestId })`, in the tRPC context, the route handlers' scope and the services'
 * context), so while capturing, those children are made from a sink that keeps each line, at every level, and the
 * root logger's own lines (code without a request logger) go to the sink too, with the request scope's id as in the
 * app.
 */
import pino, { type Bindings } from "pino";
import { afterEach, beforeEach, vi } from "vitest";
import { logger, requestScopeMixin } from "@/server/logger";

export interface LogLine {
  level: number;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/** Registers hooks capturing the request loggers' lines for each test of the file; read them from `lines`. */
export function useRequestLogs(): { readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = pino({ level: "trace", base: null, mixin: requestScopeMixin }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  let spies: { mockRestore(): void }[] = [];
  beforeEach(() => {
    lines.length = 0;
    spies = [
      vi.spyOn(logger, "child").mockImplementation(((bindings: Bindings) => sink.child(bindings)) as typeof logger.child),
      ...(["debug", "info", "warn", "error"] as const).map((level) => vi.spyOn(logger, level).mockImplementation(sink[level].bind(sink) as never)),
    ];
  });
  afterEach(() => spies.forEach((spy) => spy.mockRestore()));
  return { lines };
}
