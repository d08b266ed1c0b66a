/**
 * Encryption key rotation: the one registry of every column holding a value sealed with the server's key
 * (src/server/crypto/secret-box.ts), and the re-sealing `npm run keys:rotate` runs (src/server/cli/keys.ts).
 *
 * The operator sets ENCRYPTION_KEY_PREVIOUS to the old key and ENCRYPTION_KEY to the new one and restarts: from then
 * on every value opens (current key first, then the previous) and new values are sealed with the new key. The
 * rotation then re-seals, column by column in batches, each value the previous key opens; once it reports nothing
 * left under the previous key, ENCRYPTION_KEY_PREVIOUS can go.
 *
 * Session renewals are sealed too but never stored (they live two minutes in a browser): they are not here, and a
 * renewal issued before the switch simply opens with the previous key until it expires.
 */
import "server-only";
import { and, asc, eq, gt, isNotNull, ne, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { db, type Executor } from "@/server/db";
import { emailOutbox, exchangeConnections, notificationChannels, providers, users } from "@/server/db/schema";
import { openWithServerKeys, seal, type SealPurpose } from "@/server/crypto/secret-box";
import { getEncryptionKey } from "@/server/secrets";
import { recordAudit } from "@/server/services/audit";
import type { ServiceContext } from "@/server/services/context";

export interface SealedColumn {
  /** "table.column" as reports name it. */
  name: string;
  table: PgTable;
  id: PgColumn;
  column: PgColumn;
  /** The purpose it was sealed for; undefined for values sealed without one (a provider's webhook passphrase). */
  purpose: SealPurpose | undefined;
}

/**
 * Every stored sealed column. INVARIANT: a schema column whose name ends in `Enc` or `Sealed` is listed here
 * (rotation.test.ts fails otherwise), so a new sealed column cannot be forgotten by a rotation.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { name: "users.totp_secret_enc", table: users, id: users.id, column: users.totpSecretEnc, purpose: "totp-secret" },
  // Sealed without a purpose (services/tradingview/settings.ts `seal(passphrase)`), so re-sealed without one.
  { name: "providers.webhook_passphrase_enc", table: providers, id: providers.id, column: providers.webhookPassphraseEnc, purpose: undefined },
  { name: "exchange_connections.credentials_sealed", table: exchangeConnections, id: exchangeConnections.id, column: exchangeConnections.credentialsSealed, purpose: "exchange-credentials" },
  { name: "notification_channels.url_enc", table: notificationChannels, id: notificationChannels.id, column: notificationChannels.urlEnc, purpose: "channel-url" },
  { name: "notification_channels.secret_enc", table: notificationChannels, id: notificationChannels.id, column: notificationChannels.secretEnc, purpose: "webhook-secret" },
  { name: "email_outbox.one_time_links_enc", table: emailOutbox, id: emailOutbox.id, column: emailOutbox.oneTimeLinksEnc, purpose: "email-one-time-links" },
];

export interface ColumnReport {
  column: string;
  /** Re-sealed with the current key. */
  resealed: number;
  /** Already under the current key. */
  current: number;
  /** Changed by the app between our read and our write (compare-and-set lost): the app wrote it with the current key. */
  changed: number;
  /** Opened by neither key (or not for the column's purpose): left as they are, ids listed for the operator. */
  unreadable: string[];
}

export interface RotationReport {
  columns: ColumnReport[];
  /** Whether any value is still under neither key: ENCRYPTION_KEY_PREVIOUS must not be dropped blindly then. */
  complete: boolean;
}

export const ROTATION_BATCH = 200;

async function rotateColumn(entry: SealedColumn, batch: number, exec: Executor): Promise<ColumnReport> {
  const report: ColumnReport = { column: entry.name, resealed: 0, current: 0, changed: 0, unreadable: [] };
  const key = getEncryptionKey();
  let after: string | null = null;
  for (;;) {
    // Keyset pages by id: rows the app adds meanwhile are sealed with the current key anyway.
    const filters: SQL[] = [isNotNull(entry.column), ne(entry.column, "")];
    if (after !== null) filters.push(gt(entry.id, after));
    const rows = (await exec
      .select({ id: entry.id, value: entry.column })
      .from(entry.table)
      .where(and(...filters))
      .orderBy(asc(entry.id))
      .limit(batch)) as { id: string; value: string }[];
    if (!rows.length) break;
    after = rows.at(-1)!.id;
    for (const row of rows) {
      let opened: ReturnType<typeof openWithServerKeys>;
      try {
        opened = openWithServerKeys(row.value, entry.purpose);
      } catch {
        // Never overwritten: it may be a value under a key the operator still has (reported, not destroyed).
        report.unreadable.push(row.id);
        continue;
      }
      if (opened.key === "current") {
        report.current++;
        continue;
      }
      // INVARIANT: compare-and-set. The row is written only if it still holds what we opened, so a value the app
      // changed meanwhile (a rolled secret, a removed connection) is never put back.
      const updated = (await exec
        .update(entry.table)
        .set({ [columnKey(entry)]: seal(opened.plain, key, entry.purpose) })
        .where(and(eq(entry.id, row.id), eq(entry.column, row.value)))
        .returning({ id: entry.id })) as { id: string }[];
      if (updated.length) report.resealed++;
      else report.changed++;
    }
    if (rows.length < batch) break;
  }
  return report;
}

/** The TypeScript property of a column on its table (`set()` takes property names, not SQL names). */
function columnKey(entry: SealedColumn): string {
  const found = Object.entries(entry.table).find(([, v]) => v === entry.column);
  if (!found) throw new Error(`${entry.name} is not a column of its table`);
  return found[0];
}

/**
 * Re-seals every registered value the previous key opens with the current key. Idempotent: a second run finds
 * everything current. Audited `keys.rotated` (actor null: an operator command) with the counts per column.
 */
export async function rotateSealedValues(ctx: ServiceContext, options: { batch?: number; exec?: Executor } = {}): Promise<RotationReport> {
  const exec = options.exec ?? db;
  const columns: ColumnReport[] = [];
  for (const entry of SEALED_COLUMNS) columns.push(await rotateColumn(entry, options.batch ?? ROTATION_BATCH, exec));
  const report: RotationReport = { columns, complete: columns.every((c) => c.unreadable.length === 0) };
  await recordAudit(exec, {
    actorId: null,
    action: "keys.rotated",
    data: {
      by: "operator",
      columns: Object.fromEntries(columns.map((c) => [c.column, { resealed: c.resealed, current: c.current, changed: c.changed, unreadable: c.unreadable.length }])),
    },
    ip: ctx.ip,
    userAgent: ctx.userAgent ?? null,
  });
  return report;
}
