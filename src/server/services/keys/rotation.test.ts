/**
 * Key rotation (issue 17, acceptance 5): values sealed under key A in every registered column open with key B alone
 * after `rotateSealedValues` ran with B current and A previous; a second run re-seals nothing; a value under neither
 * key is reported and left as it was; and every sealed column of the schema is in the registry.
 */
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { eq, getTableColumns, getTableName, isTable } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { useTestDatabase } from "@/test/db";
import { insertUser } from "@/test/channels";
import { db } from "@/server/db";
import * as schema from "@/server/db/schema";
import { auditLog, emailOutbox, exchangeConnections, notificationChannels, providers, users } from "@/server/db/schema";
import { open, openFor, seal, sealFor } from "@/server/crypto/secret-box";
import { systemContext } from "@/server/services/context";
import { rotateSealedValues, SEALED_COLUMNS } from "./rotation";

const keys = vi.hoisted(() => ({ current: null as Buffer | null, previous: null as Buffer | null }));
vi.mock("@/server/secrets", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/server/secrets")>();
  return {
    ...actual,
    getEncryptionKey: () => keys.current ?? actual.getEncryptionKey(),
    getPreviousEncryptionKey: () => keys.previous,
  };
});

useTestDatabase();

const A = randomBytes(32);
const B = randomBytes(32);
beforeEach(() => {
  keys.current = A;
  keys.previous = null;
});

/** One row per registered column, each value sealed under key A as the app seals it. */
async function sealEverythingUnderA() {
  const owner = await insertUser("Rotor");
  await db.update(users).set({ totpSecretEnc: sealFor("totp-secret", "JBSWY3DPEHPK3PXP") }).where(eq(users.id, owner.id));
  const [provider] = await db
    .insert(providers)
    .values({ userId: owner.id, slug: `rotor-${owner.id.slice(-6)}`, displayName: "Rotor", webhookPassphraseEnc: seal("open sesame") })
    .returning({ id: providers.id });
  const [connection] = await db
    .insert(exchangeConnections)
    .values({ userId: owner.id, exchangeId: "local", label: "Main", credentialsSealed: "pending", keyHint: "AKIA" })
    .returning({ id: exchangeConnections.id });
  const credentials = JSON.stringify({ connectionId: connection!.id, apiKey: "AKIA-key", secret: "s3cret" });
  await db.update(exchangeConnections).set({ credentialsSealed: sealFor("exchange-credentials", credentials) }).where(eq(exchangeConnections.id, connection!.id));
  // A removed connection's wiped credentials ("") are not a sealed value.
  await db.insert(exchangeConnections).values({ userId: owner.id, exchangeId: "local", label: "Old", credentialsSealed: "", keyHint: "AKIB", status: "removed" });
  const [channel] = await db
    .insert(notificationChannels)
    .values({ userId: owner.id, kind: "webhook", label: "Hook", urlEnc: sealFor("channel-url", "https://hooks.example.com/x"), secretEnc: sealFor("webhook-secret", "whsec_abc") })
    .returning({ id: notificationChannels.id });
  const [email] = await db
    .insert(emailOutbox)
    .values({ userId: owner.id, to: owner.email, kind: "verify", subject: "Verify", html: "<p>x</p>", text: "x", oneTimeLinksEnc: sealFor("email-one-time-links", '["https://x/verify?t=1"]') })
    .returning({ id: emailOutbox.id });
  return { owner, provider: provider!, connection: connection!, credentials, channel: channel!, email: email! };
}

async function readAll(rows: Awaited<ReturnType<typeof sealEverythingUnderA>>) {
  const u = (await db.query.users.findFirst({ where: eq(users.id, rows.owner.id) }))!;
  const p = (await db.query.providers.findFirst({ where: eq(providers.id, rows.provider.id) }))!;
  const x = (await db.query.exchangeConnections.findFirst({ where: eq(exchangeConnections.id, rows.connection.id) }))!;
  const c = (await db.query.notificationChannels.findFirst({ where: eq(notificationChannels.id, rows.channel.id) }))!;
  const e = (await db.query.emailOutbox.findFirst({ where: eq(emailOutbox.id, rows.email.id) }))!;
  return {
    totp: openFor("totp-secret", u.totpSecretEnc!),
    passphrase: open(p.webhookPassphraseEnc!),
    credentials: openFor("exchange-credentials", x.credentialsSealed),
    url: openFor("channel-url", c.urlEnc!),
    secret: openFor("webhook-secret", c.secretEnc!),
    links: openFor("email-one-time-links", e.oneTimeLinksEnc!),
  };
}

describe("keys:rotate", () => {
  it("re-seals every registered column with the new key: afterwards each value opens with key B alone", async () => {
    const rows = await sealEverythingUnderA();
    const expected = {
      totp: "JBSWY3DPEHPK3PXP",
      passphrase: "open sesame",
      credentials: rows.credentials,
      url: "https://hooks.example.com/x",
      secret: "whsec_abc",
      links: '["https://x/verify?t=1"]',
    };

    // The operator's switch: B current, A previous. Everything still opens (the previous key is tried second).
    keys.current = B;
    keys.previous = A;
    expect(await readAll(rows)).toEqual(expected);

    const report = await rotateSealedValues(systemContext(), { batch: 1 });
    expect(report.complete).toBe(true);
    for (const c of report.columns) expect(c, c.column).toMatchObject({ resealed: 1, current: 0, changed: 0, unreadable: [] });

    // PREVIOUS removed: B alone opens every value.
    keys.previous = null;
    expect(await readAll(rows)).toEqual(expected);

    // Idempotent: a second run finds everything current.
    const again = await rotateSealedValues(systemContext());
    for (const c of again.columns) expect(c, c.column).toMatchObject({ resealed: 0, current: 1 });

    const audits = await db.select().from(auditLog).where(eq(auditLog.action, "keys.rotated"));
    expect(audits).toHaveLength(2);
    expect(audits[0]).toMatchObject({ actorId: null });
    expect(audits[0]!.data).toMatchObject({ columns: { "users.totp_secret_enc": { resealed: 1 } } });
  });

  it("reports a value neither key opens and leaves it exactly as it was", async () => {
    const rows = await sealEverythingUnderA();
    const stranger = seal("sealed elsewhere", randomBytes(32), "totp-secret");
    await db.update(users).set({ totpSecretEnc: stranger }).where(eq(users.id, rows.owner.id));
    keys.current = B;
    keys.previous = A;
    const report = await rotateSealedValues(systemContext());
    expect(report.complete).toBe(false);
    expect(report.columns.find((c) => c.column === "users.totp_secret_enc")).toMatchObject({ resealed: 0, unreadable: [rows.owner.id] });
    expect((await db.query.users.findFirst({ where: eq(users.id, rows.owner.id) }))!.totpSecretEnc).toBe(stranger);
    // The rest was still rotated.
    expect(report.columns.find((c) => c.column === "notification_channels.secret_enc")).toMatchObject({ resealed: 1 });
  });

  it("does not open a value with the previous key once it is no longer configured", async () => {
    const rows = await sealEverythingUnderA();
    keys.current = B;
    await expect(readAll(rows)).rejects.toThrow();
  });
});

describe("the sealed-column registry", () => {
  it("lists every schema column whose name says it is sealed (…Enc, …Sealed)", () => {
    const registered = new Set(SEALED_COLUMNS.map((c) => c.column));
    const sealed: string[] = [];
    for (const value of Object.values(schema)) {
      if (!isTable(value)) continue;
      for (const [key, column] of Object.entries(getTableColumns(value as PgTable))) {
        if (/(Enc|Sealed)$/.test(key) && !registered.has(column)) sealed.push(`${getTableName(value as PgTable)}.${key}`);
      }
    }
    expect(sealed).toEqual([]);
    expect(SEALED_COLUMNS.length).toBeGreaterThanOrEqual(6);
  });
});
