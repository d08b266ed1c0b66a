/**
 * tRPC context and the procedure ladder:
 * publicProcedure -> protectedProcedure (signed in) -> providerProcedure / adminProcedure (role, FORBIDDEN).
 * The session is resolved by the caller (route handler, RSC caller, tests) and passed in, so this module does not
 * depend on Auth.js.
 */
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { eq } from "drizzle-orm";
import { db, getDatabase } from "@/server/db";
import { providers, type UserRole } from "@/server/db/schema";
import { DomainError, ValidationError, refusalOf } from "@/server/errors";
import { logger } from "@/server/logger";
import { consume, type LimitName } from "@/server/rate-limit";
import { addressKey, clientIp } from "@/server/http/client-ip";
import { toTRPCError } from "./errors";
import { unsafeTextRefusal } from "@/lib/validation/text";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";

export interface SessionUser {
  id: string;
  role: UserRole;
  email?: string | null;
  name?: string | null;
}

export interface ContextSession {
  user: SessionUser;
  /** The Auth.js session's own id (see auth/config.ts); a password change's renewal is for this session only. */
  sessionId?: string;
  /** The account's session version this session was resolved at; long-lived work (live streams) re-checks it. */
  sessionVersion?: number;
}

export interface CreateContextOptions {
  headers: Headers;
  session: ContextSession | null;
}

export async function createTRPCContext(opts: CreateContextOptions) {
  await getDatabase();
  const ip = clientIp(opts.headers);
  return { db, session: opts.session, headers: opts.headers, ip };
}
export type Context = Awaited<ReturnType<typeof createTRPCContext>>;

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodFields = error.cause instanceof ZodError ? fieldErrorsFromZod(error.cause) : undefined;
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // Unknown failures keep their detail in the log; the client gets a generic sentence.
      message: internal
        ? "Something went wrong on our side. Please try again."
        : foreignInputError(error)
          ? "That input is not valid. Check the fields and try again."
          : zodFields ? firstFieldError(zodFields) ?? shape.message : shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        fieldErrors: zodFields ?? refusalOf(error.cause)?.fieldErrors ?? null,
      },
    };
  },
});

/**
 * An input parser that threw something other than a ZodError (a library refusing a value, e.g. decimal.js's
 * "[DecimalError] Invalid argument: abc"): tRPC makes it a BAD_REQUEST carrying the library's wording, which is
 * neither for people nor ours to show. The same happens when superjson cannot read a payload. Both are logged.
 */
function foreignInputError(error: TRPCError): boolean {
  const cause = error.cause;
  return error.code === "BAD_REQUEST" && cause instanceof Error && !(cause instanceof ZodError) && !(cause instanceof DomainError) && error.message === cause.message;
}

/** An error's class and the first frames of its stack, without its message (which may quote the input). */
function errorSite(err: unknown): { type: string; at: string[] } {
  const e = err instanceof Error ? err : new Error("non-Error thrown");
  return { type: e.constructor.name, at: (e.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line)).slice(0, 4).map((l) => l.trim()) };
}

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

const errorAdapter = t.middleware(async ({ next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) throw toTRPCError(cause);
    if (result.error.code === "INTERNAL_SERVER_ERROR") logger.error({ err: cause ?? result.error, path }, "procedure failed");
    // A warning, not an error: hostile superjson payloads land here too, and must not flood the error log.
    // Its message often quotes the input (superjson: "Cannot convert <value> to a BigInt"), which may be a password:
    // only the kind of error and where it was thrown are logged.
    else if (foreignInputError(result.error)) logger.warn({ path, error: errorSite(cause) }, "input refused by a parser's own error (a schema bug, or an unreadable payload)");
  }
  return result;
});

/**
 * Every procedure's raw input (values and object keys, however deep) is checked for control characters and broken
 * UTF-16 once, here, before its schema or any rate limit runs: one rule for every string instead of a refinement on
 * each schema (src/lib/validation/text.ts says why such text is refused rather than stripped).
 */
const textGuard = t.middleware(async ({ next, getRawInput }) => {
  const refusal = unsafeTextRefusal(await getRawInput());
  if (refusal) throw new ValidationError(refusal.message, refusal.fieldErrors);
  return next();
});

export const publicProcedure = t.procedure.use(errorAdapter).use(textGuard);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.session.user } });
});

export const providerProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (ctx.user.role !== "provider") throw new TRPCError({ code: "FORBIDDEN", message: "Only signal providers can do this" });
  // INVARIANT: the provider is always the caller's own, looked up from the session.
  const provider = await ctx.db.query.providers.findFirst({ where: eq(providers.userId, ctx.user.id) });
  if (!provider) throw new TRPCError({ code: "FORBIDDEN", message: "Set up your provider profile first" });
  return next({ ctx: { ...ctx, provider } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  return next();
});

/** Rate limit as middleware: `points` calls per `durationSec` per IP (or per user when signed in). */
export const rateLimit = (name: LimitName, points: number, durationSec: number) =>
  t.middleware(async ({ ctx, next }) => {
    // Without a trusted IP, anonymous callers share one bucket: stricter, never bypassable.
    const key = ctx.session?.user.id ?? addressKey(ctx.ip);
    try {
      await consume(name, key, points, durationSec);
    } catch (err) {
      if (err instanceof DomainError) throw toTRPCError(err);
      throw err;
    }
    return next();
  });
