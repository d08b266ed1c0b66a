/**
 * Deleted providers leave the marketplace's lists (directory, search, counts) but keep their page and chain: the
 * published track record stays verifiable at its slug. One condition, so every list leaves out the same ones.
 */
import "server-only";
import { sql, type SQL } from "drizzle-orm";
import { providers, users } from "@/server/db/schema";

/** True for a provider whose account is not deleted: add it to the `where` of every public list of providers. */
export const listedProvider: SQL = sql`not exists (select 1 from ${users} where ${users.id} = ${providers.userId} and ${users.deletedAt} is not null)`;
