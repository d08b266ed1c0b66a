/** Builders for the copy-trading integration tests: many followers at once, and the sums the tests check. */
import { sql } from "drizzle-orm";
import { db } from "@/server/db";
import { copySettings, subscriptions, users } from "@/server/db/schema";
import { executeRows } from "@/server/db/raw";
import { newId } from "@/lib/ids";
import { uniqueEmail } from "./factories";

/**
 * `n` traders with an active subscription to the provider and paper copying on (inserted in bulk: no sign-up path,
 * no password hashing), copying since `startedAt` with `allocatedAmount` set aside. Returns their user ids in id order.
 */
export async function copyingFollowers(
  providerId: string,
  n: number,
  settings: Partial<typeof copySettings.$inferInsert> = {},
  startedAt = new Date(Date.now() - 3_600_000),
): Promise<string[]> {
  const rows = Array.from({ length: n }, () => ({ id: newId("usr"), email: uniqueEmail("copier"), role: "subscriber" as const }));
  for (let i = 0; i < rows.length; i += 1000) await db.insert(users).values(rows.slice(i, i + 1000));
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await db.insert(subscriptions).values(chunk.map((u) => ({ subscriberId: u.id, providerId, status: "active" as const })));
    await db.insert(copySettings).values(
      chunk.map((u) => ({ userId: u.id, providerId, enabled: true, venue: "paper", allocatedAmount: "1000", startedAt, ...settings })),
    );
  }
  return rows.map((r) => r.id).sort();
}

/** Copy orders per (signal event, follower, leg), and how many such keys have more than one order. */
export async function orderKeys(signalId: string): Promise<{ orders: number; keys: number; duplicated: number }> {
  const [row] = await executeRows<{ orders: number; keys: number; duplicated: number }>(
    db,
    sql`select count(*)::int as orders,
          count(distinct (signal_event_id, user_id, leg))::int as keys,
          (select count(*)::int from (select 1 from copy_orders where signal_id = ${signalId} group by signal_event_id, user_id, leg having count(*) > 1) d) as duplicated
        from copy_orders where signal_id = ${signalId}`,
  );
  return row!;
}

/** Paper balances by user. */
export async function balances(userIds: readonly string[]): Promise<Map<string, string>> {
  const rows = await executeRows<{ user_id: string; balance: string }>(
    db,
    sql`select user_id, balance::text as balance from paper_accounts where user_id in (select unnest(${`{${userIds.join(",")}}`}::text[]))`,
  );
  return new Map(rows.map((r) => [r.user_id, r.balance]));
}
