/**
 * Demo data for the embedded mode: an admin, a demo provider, a demo subscriber and a dozen provider profiles.
 * Runs once, on an empty database (first `npm run dev`), or by `npm run db:seed`.
 */
import "server-only";
import { count } from "drizzle-orm";
import { env } from "@/env";
import type { Db } from "@/server/db";
import { notificationPrefs, subscriptions, users } from "@/server/db/schema";
import { hashPassword } from "@/server/services/auth/passwords";
import { createProviderProfile } from "@/server/services/providers";
import { recordAudit } from "@/server/services/audit";
import { DEMO_PROVIDERS } from "./demo-providers";

/**
 * Demo accounts, documented in the README's development section. Created only by demo seeding (an empty embedded
 * database, or SEED_DEMO=1); their passwords are public, so production never logs them (`demoCredentialsBanner`).
 */
export const DEMO_ACCOUNTS = [
  { role: "admin", email: "admin@tradsy.dev", password: "tradsy-admin-demo", name: "Tradsy Admin" },
  { role: "provider", email: "provider@tradsy.dev", password: "tradsy-provider-demo", name: "Demo Provider" },
  { role: "subscriber", email: "trader@tradsy.dev", password: "tradsy-trader-demo", name: "Demo Trader" },
] as const;

const DAY = 24 * 60 * 60 * 1000;

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) === 0;
}

export async function seedDemo(db: Db, now: Date = new Date()): Promise<{ users: number; providers: number }> {
  const accountHashes = await Promise.all(DEMO_ACCOUNTS.map((a) => hashPassword(a.password)));
  // Demo profile owners never sign in: they get no password.
  return db.transaction(async (tx) => {
    let providersCreated = 0;
    for (const [i, account] of DEMO_ACCOUNTS.entries()) {
      const [user] = await tx
        .insert(users)
        .values({
          email: account.email,
          name: account.name,
          role: account.role,
          passwordHash: accountHashes[i]!,
          emailVerified: now,
          disclaimerAcceptedAt: now,
          termsAcceptedAt: now,
        })
        .returning();
      await tx.insert(notificationPrefs).values({ userId: user!.id });
      if (account.role === "provider") {
        await createProviderProfile(tx, {
          userId: user!.id,
          displayName: account.name,
          tagline: "The demo provider account: sign in as it to publish",
          bio: "This profile belongs to the demo provider login from the README. Use it to try the provider side.",
          markets: ["crypto"],
        });
        providersCreated++;
      }
    }
    for (const [i, p] of DEMO_PROVIDERS.entries()) {
      const createdAt = new Date(now.getTime() - p.ageDays * DAY);
      const [user] = await tx
        .insert(users)
        .values({
          email: `demo-provider-${i + 1}@tradsy.dev`,
          name: p.name,
          role: "provider",
          emailVerified: createdAt,
          disclaimerAcceptedAt: createdAt,
          termsAcceptedAt: createdAt,
          createdAt,
        })
        .returning();
      await tx.insert(notificationPrefs).values({ userId: user!.id });
      await createProviderProfile(tx, {
        userId: user!.id,
        displayName: p.name,
        tagline: p.tagline,
        bio: p.bio,
        markets: p.markets,
        priceCents: p.priceCents,
        createdAt,
      });
      providersCreated++;
    }
    // The demo trader follows the demo provider without billing (a complimentary subscription), so the provider
    // login's dashboard has a subscriber; the paid follows go through the dev checkout (./billing).
    const trader = await tx.query.users.findFirst({ where: (u, { eq }) => eq(u.email, "trader@tradsy.dev") });
    const followed = await tx.query.providers.findMany({
      where: (p, { inArray }) => inArray(p.slug, ["demo-provider"]),
      columns: { id: true },
    });
    if (trader) {
      for (const p of followed) {
        await tx.insert(subscriptions).values({
          subscriberId: trader.id,
          providerId: p.id,
          status: "active",
          currentPeriodEnd: new Date(now.getTime() + 30 * DAY),
        });
      }
    }
    await recordAudit(tx, { actorId: null, action: "system.seeded", data: { providers: providersCreated } });
    return { users: DEMO_ACCOUNTS.length + DEMO_PROVIDERS.length, providers: providersCreated };
  });
}

/**
 * What start-up and `npm run db:seed` print after seeding. In development the demo credentials, once, for the person
 * trying the app. In production no password goes to the log (logs are kept, shipped and read by more people than
 * the operator): only which accounts exist and that they carry the README's public demo passwords until their owner
 * sets new ones.
 */
export function demoCredentialsBanner(nodeEnv: "development" | "test" | "production" = env.NODE_ENV): string {
  if (nodeEnv === "production") {
    return [
      "",
      `Tradsy demo accounts seeded: ${DEMO_ACCOUNTS.map((a) => `${a.email} (${a.role})`).join(", ")}.`,
      'They have the public demo passwords from the README ("Demo accounts"), so anyone can sign in as them: sign in',
      "as each and set a password of your own (Settings → Password) before others can reach this server.",
      "",
    ].join("\n");
  }
  const lines = DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(10)} ${a.email.padEnd(22)} ${a.password}`);
  return ["", "Tradsy demo accounts (development only):", ...lines, ""].join("\n");
}
