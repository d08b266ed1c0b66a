/**
 * A user's own lab strategies (issue 19): rule documents saved by name. The owner is always the acting user; a
 * strategy that is not theirs is NOT_FOUND, as one that does not exist. Curated strategies are code
 * (src/lib/strategy-library) and have no row, so nothing here can change them.
 */
import "server-only";
import { and, count, desc, eq } from "drizzle-orm";
import { exportRules, parseRules, type RuleError, type RulesDocument } from "@/lib/rules";
import { strategyName } from "@/lib/validation/lab";
import { db } from "@/server/db";
import { strategies, users } from "@/server/db/schema";
import { LimitExceededError, NotFoundError, UnauthorizedError, ValidationError } from "@/server/errors";
import type { ActingContext } from "@/server/services/context";

export type StrategyRow = typeof strategies.$inferSelect;

/** Own strategies one user may keep: the list shows them all (listStrategies reads at most this many). */
export const MAX_STRATEGIES_PER_USER = 200;

/** A rules document checked by parseRules; refused with every problem at its field's path (`rules.rules[0].when.op`). */
export function checkRules(json: unknown, field = "rules"): RulesDocument {
  const r = parseRules(json);
  if (r.ok) return r.rules;
  throw rulesRefusal(r.errors, field);
}

export function rulesRefusal(errors: readonly RuleError[], field = "rules"): ValidationError {
  const fieldErrors: Record<string, string[]> = {};
  for (const e of errors) (fieldErrors[e.path ? `${field}.${e.path}` : field] ??= []).push(e.message);
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return new ValidationError(`The rules are not valid: ${first.path ? `${first.path}: ` : ""}${first.message}${more}`, fieldErrors);
}

function checkName(name: unknown): string {
  const r = strategyName.safeParse(name);
  if (r.success) return r.data;
  const message = r.error.issues[0]?.message ?? "Give the strategy a name";
  throw new ValidationError(message, { name: [message] });
}

export async function listStrategies(ctx: ActingContext): Promise<StrategyRow[]> {
  return db.select().from(strategies).where(eq(strategies.userId, ctx.actor.id)).orderBy(desc(strategies.updatedAt), desc(strategies.id)).limit(MAX_STRATEGIES_PER_USER);
}

export async function getStrategy(ctx: ActingContext, id: string): Promise<StrategyRow> {
  const [row] = await db.select().from(strategies).where(and(eq(strategies.id, id), eq(strategies.userId, ctx.actor.id)));
  if (!row) throw new NotFoundError("No such strategy");
  return row;
}

export async function createStrategy(ctx: ActingContext, input: { name: unknown; rules: unknown }): Promise<StrategyRow> {
  const name = checkName(input.name);
  const rules = checkRules(input.rules);
  return db.transaction(async (tx) => {
    // INVARIANT: under the owner's row lock, so two saves at once cannot both take the last place, and a save from a
    // request that passed its session check just before the account was deleted refuses (privacy/live-account.ts).
    const [owner] = await tx.select({ deletedAt: users.deletedAt }).from(users).where(eq(users.id, ctx.actor.id)).for("update");
    if (!owner || owner.deletedAt) throw new UnauthorizedError("This account was deleted");
    const [kept] = await tx.select({ n: count() }).from(strategies).where(eq(strategies.userId, ctx.actor.id));
    if ((kept?.n ?? 0) >= MAX_STRATEGIES_PER_USER) {
      throw new LimitExceededError(`You already have ${MAX_STRATEGIES_PER_USER} strategies. Delete one you no longer use before saving another.`);
    }
    const [row] = await tx.insert(strategies).values({ userId: ctx.actor.id, name, rules, createdAt: ctx.now, updatedAt: ctx.now }).returning();
    return row!;
  });
}

/** Renames and/or replaces the document; a document that differs from the saved one bumps `version`. */
export async function updateStrategy(ctx: ActingContext, id: string, input: { name?: unknown; rules?: unknown }): Promise<StrategyRow> {
  const name = input.name === undefined ? undefined : checkName(input.name);
  const rules = input.rules === undefined ? undefined : checkRules(input.rules);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(strategies).where(and(eq(strategies.id, id), eq(strategies.userId, ctx.actor.id))).for("update");
    if (!current) throw new NotFoundError("No such strategy");
    // Canonical text: jsonb keeps its own key order, so equal documents must be compared by content.
    const changed = rules !== undefined && exportRules(rules) !== exportRules(current.rules);
    const [row] = await tx
      .update(strategies)
      .set({ ...(name !== undefined ? { name } : {}), ...(changed ? { rules, version: current.version + 1 } : {}), updatedAt: ctx.now })
      .where(and(eq(strategies.id, id), eq(strategies.userId, ctx.actor.id)))
      .returning();
    return row!;
  });
}

/** Deletes the strategy; its backtests stay (their strategyId becomes null, they keep the name and document they ran). */
export async function deleteStrategy(ctx: ActingContext, id: string): Promise<void> {
  const gone = await db.delete(strategies).where(and(eq(strategies.id, id), eq(strategies.userId, ctx.actor.id))).returning({ id: strategies.id });
  if (gone.length === 0) throw new NotFoundError("No such strategy");
}
