/**
 * tRPC context and the procedure ladder:
 * publicProcedure -> protectedProcedure (signed in) -> providerProcedure / adminProcedure (role, FORBIDDEN).
 * The session is resolved by the caller (route handler, RSC caller, tests) and passed in, so this module does not
 * depend on Auth.js.
 *
 * Each request has one id and a child logger carrying it (`ctx.requestId`, `ctx.log`); each procedure call gets the
 * services' calling convention, `ctx.service` (src/server/services/context.ts): the actor from the session (non-null
 * from protectedProcedure on), the client address, the call's clock and that logger. Every call's outcome and
 * duration is logged once, by `requestLog`.
 */
import "server-only";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { db, getDatabase } from "@/server/db";
import { personalProviderOf, type UserRole } from "@/server/db/schema";
import { DomainError, StepUpRequiredError, ValidationError, refusalOf } from "@/server/errors";
import type { Logger } from "pino";
import { logger as rootLogger } from "@/server/logger";
import { requestIdFrom, userAgentFrom, type ActingContext, type Actor, type ServiceContext } from "@/server/services/context";
import { consume, type LimitName } from "@/server/rate-limit";
import { addressKey, clientIp } from "@/server/http/client-ip";
import { appBaseUrl } from "@/server/http/base-url";
import { toTRPCError } from "./errors";
import { ADMIN_NEEDS_TWO_FACTOR, adminAreaAccess, requireStepUp } from "@/server/services/auth/two-factor";
import { unsafeTextRefusal } from "@/lib/validation/text";
import { fieldErrorsFromZod, firstFieldError } from "@/lib/validation/field-errors";

export interface SessionUser {
  id: string;
  role: UserRole;
  email?: string | null;
  name?: string | null;
  /** Two-factor sign-in is on for the account, as of this request (Auth.js's session has it; absent counts as off). */
  twoFactorEnabled?: boolean;
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
  /** The request's id when the route handler made it (it sends it back as `x-request-id`); else from the headers. */
  requestId?: string;
}

export async function createTRPCContext(opts: CreateContextOptions) {
  await getDatabase();
  const ip = clientIp(opts.headers);
  const requestId = opts.requestId ?? requestIdFrom(opts.headers);
  const log: Logger = rootLogger.child({ requestId });
  return { db, session: opts.session, headers: opts.headers, ip, requestId, log };
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
        // What the client acts on beyond the code: a step-up refusal opens the code dialog (issue 17).
        ...(error.cause instanceof StepUpRequiredError ? { reason: error.cause.reason } : {}),
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

/** The services' context for one call: the request's id and logger, the session's actor (or none), a fresh clock. */
function serviceContextOf(ctx: Context): ServiceContext {
  const user = ctx.session?.user;
  return { actor: user ? { id: user.id, role: user.role } : null, ip: ctx.ip, userAgent: userAgentFrom(ctx.headers), sessionId: ctx.session?.sessionId ?? null, now: new Date(), requestId: ctx.requestId, log: ctx.log, baseUrl: appBaseUrl(ctx.headers) };
}

/**
 * One line per procedure call, at its end: path, type, duration and outcome. Successes are debug (the volume of
 * every call); refusals and failures are warnings carrying their code (an internal error is also logged with its
 * detail by `errorAdapter`). Neither input nor output is logged.
 */
const requestLog = t.middleware(async ({ ctx, next, path, type }) => {
  const started = performance.now();
  const result = await next({ ctx: { service: serviceContextOf(ctx) } });
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  if (result.ok) ctx.log.debug({ path, type, durationMs, ok: true }, "procedure done");
  else ctx.log.warn({ path, type, durationMs, ok: false, code: result.error.code }, "procedure refused or failed");
  return result;
});

const errorAdapter = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof DomainError) throw toTRPCError(cause);
    if (result.error.code === "INTERNAL_SERVER_ERROR") ctx.log.error({ err: cause ?? result.error, path }, "procedure failed");
    // A warning, not an error: hostile superjson payloads land here too, and must not flood the error log.
    // Its message often quotes the input (superjson: "Cannot convert <value> to a BigInt"), which may be a password:
    // only the kind of error and where it was thrown are logged.
    else if (foreignInputError(result.error)) ctx.log.warn({ path, error: errorSite(cause) }, "input refused by a parser's own error (a schema bug, or an unreadable payload)");
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

/**
 * A floor under every mutation, whatever its own limits: per signed-in account and per client address, each in
 * the shared store. Generous (a person clicking, a script of ours retrying, never reach them): they stop floods,
 * not use. The per-address budget applies only where an address is known (TRUSTED_PROXY_HOPS): without one every
 * caller, anonymous or not, would share one bucket, and one script would block everyone's verifyEmail,
 * resetPassword and unsubscribe. Unknown-address callers still meet each action's own limits.
 */
export const MUTATION_LIMITS = { perAccount: { points: 120, seconds: 60 }, perAddress: { points: 300, seconds: 60 } } as const;

const mutationLimits = t.middleware(async ({ ctx, type, next }) => {
  if (type !== "mutation") return next();
  const user = ctx.session?.user;
  if (user) await consume("mutation-account", user.id, MUTATION_LIMITS.perAccount.points, MUTATION_LIMITS.perAccount.seconds);
  if (ctx.ip) await consume("mutation-ip", addressKey(ctx.ip), MUTATION_LIMITS.perAddress.points, MUTATION_LIMITS.perAddress.seconds);
  return next();
});

export const publicProcedure = t.procedure.use(requestLog).use(errorAdapter).use(textGuard).use(mutationLimits);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  const actor: Actor = { id: ctx.session.user.id, role: ctx.session.user.role };
  // INVARIANT: the actor is the session's user; services take owners from `ctx.service.actor`, never from input.
  const service: ActingContext = { ...ctx.service, actor };
  return next({ ctx: { ...ctx, session: ctx.session, user: ctx.session.user, service } });
});

export const providerProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  if (ctx.user.role !== "provider") throw new TRPCError({ code: "FORBIDDEN", message: "Only signal providers can do this" });
  // INVARIANT: the provider is always the caller's own, looked up from the session.
  const provider = await ctx.db.query.providers.findFirst({ where: personalProviderOf(ctx.user.id) });
  if (!provider) throw new TRPCError({ code: "FORBIDDEN", message: "Set up your provider profile first" });
  return next({ ctx: { ...ctx, provider } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  const access = adminAreaAccess(ctx.user);
  if (access === "not_admin") throw new TRPCError({ code: "FORBIDDEN", message: "Admins only" });
  // Issue 17: in production an admin account must have two-factor sign-in on. The session's value is fresh: the
  // jwt callback re-reads it from the account on every resolve (loadSessionUser), so a reset applies at once.
  if (access === "needs_two_factor") throw new TRPCError({ code: "FORBIDDEN", message: ADMIN_NEEDS_TWO_FACTOR });
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

/**
 * Issue 17: a fresh two-factor code on this session (services/auth/two-factor.ts `requireStepUp`), as middleware. Put
 * it after the input and BEFORE any `rateLimit`: the refusal and the retry the code dialog sends must not cost two of
 * a procedure's few attempts (a refused call takes no point).
 */
export const stepUpRequired = t.middleware(async ({ ctx, next }) => {
  try {
    await requireStepUp(serviceContextOf(ctx));
  } catch (err) {
    if (err instanceof DomainError) throw toTRPCError(err);
    throw err;
  }
  return next();
});
