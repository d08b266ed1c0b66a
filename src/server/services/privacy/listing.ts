/**
 * Who the marketplace's lists (directory, search, leaderboard, counts) show. Left out: deleted providers, who keep
 * their page and chain (the published track record stays verifiable at its slug), and providers still incubating
 * (`listedFrom` in the future: a strategy running live builds its record unlisted first, reachable by its link), and
 * strategies whose run has stopped (they publish no more and take no subscriber; their record stays at its link).
 * One condition, so every list leaves out the same ones; incubation ends by the clock alone, no job lists it.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { providers, strategyRuns, users } from "@/server/db/schema";

/** True for an automated provider whose strategy run has stopped (a stopped run never restarts). */
export const stoppedStrategy: SQL = sql`(${providers.automated} and exists (select 1 from ${strategyRuns} where ${strategyRuns.providerId} = ${providers.id} and ${strategyRuns.status} = 'stopped'))`;

/** True for a provider that is listed now: add it to the `where` of every public list of providers. */
export const listedProvider: SQL = sql`(not exists (select 1 from ${users} where ${users.id} = ${providers.userId} and ${users.deletedAt} is not null) and (${providers.listedFrom} is null or ${providers.listedFrom} <= now()) and not ${stoppedStrategy})`;
