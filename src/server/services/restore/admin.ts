/**
 * The admin Backups page's service (/admin/backups): the backups index with its storage, "Create backup now" and
 * "Verify now" (the engine's own functions, run for the request: seconds on a small database; the page shows them
 * running), and the restore review (./holds.ts). Every action is audited; the engine's plain errors become domain
 * errors here so the page gets a message, never a stack.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { getDatabase } from "@/server/db";
import { backups, users } from "@/server/db/schema";
import { recordAudit } from "@/server/services/audit";
import { backupStorage, createBackup, listBackups, verifyBackup } from "@/server/services/backups";
import type { ActingContext } from "@/server/services/context";
import { ConflictError, NotFoundError } from "@/server/errors";
import { maintenanceOpen } from "@/server/services/maintenance";
import { listHeld } from "./holds";

export interface AdminBackupRow {
  id: string;
  kind: string;
  status: string;
  engine: string;
  storage: string;
  format: string;
  sizeBytes: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  verification: "passed" | "failed" | null;
  verifiedAt: Date | null;
  verificationError: string | null;
  prunedAt: Date | null;
  /** Downloadable: completed and still in storage. */
  downloadable: boolean;
}

export async function adminBackupsPage(actorId: string) {
  const handle = await getDatabase();
  const storage = backupStorage();
  const [rows, held, maintenance, may] = await Promise.all([listBackups(handle.db, { limit: 200 }), listHeld(), maintenanceOpen(handle.db), mayDownloadBackups(actorId)]);
  const items: AdminBackupRow[] = rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    engine: r.engine,
    storage: r.storage,
    format: r.format,
    sizeBytes: r.sizeBytes,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    error: r.error,
    verification: r.verification,
    verifiedAt: r.verifiedAt,
    verificationError: r.verificationError,
    prunedAt: r.prunedAt,
    downloadable: r.status === "completed" && !r.prunedAt && !!r.location,
  }));
  return { items, storage: { kind: storage.kind, where: storage.describe() }, engine: handle.kind, held, maintenance, canDownload: may === "yes" };
}

export async function adminCreateBackup(ctx: ActingContext): Promise<{ id: string; status: string }> {
  const handle = await getDatabase();
  let row;
  try {
    row = await createBackup(handle, { kind: "manual", actorId: ctx.actor.id });
  } catch (err) {
    ctx.log.error({ err }, "admin: backup failed");
    throw new ConflictError("The backup failed; its row on this page says why");
  }
  await recordAudit(handle.db, { actorId: ctx.actor.id, action: "backup.created", targetType: "backup", targetId: row.id, data: { kind: "manual", sizeBytes: row.sizeBytes }, ip: ctx.ip, userAgent: ctx.userAgent });
  return { id: row.id, status: row.status };
}

export async function adminVerifyBackup(ctx: ActingContext, id: string): Promise<{ id: string; ok: boolean; error: string | null }> {
  const handle = await getDatabase();
  const [row] = await handle.db.select({ status: backups.status, prunedAt: backups.prunedAt }).from(backups).where(eq(backups.id, id));
  if (!row) throw new NotFoundError("No such backup");
  if (row.status !== "completed" || row.prunedAt) throw new ConflictError(row.prunedAt ? "This backup was removed by retention" : `This backup is ${row.status}: only a completed backup can be verified`);
  const result = await verifyBackup(handle, id);
  await recordAudit(handle.db, { actorId: ctx.actor.id, action: "backup.verified", targetType: "backup", targetId: id, data: { ok: result.ok, error: result.error ?? null }, ip: ctx.ip, userAgent: ctx.userAgent });
  return { id, ok: result.ok, error: result.error ?? null };
}

/**
 * Who may download a backup: an admin with two-factor sign-in on, in every environment (a backup holds every
 * account's data; development's relaxed admin rule does not reach it). Read fresh from the account.
 */
export async function mayDownloadBackups(userId: string): Promise<"yes" | "not_admin" | "needs_two_factor"> {
  const handle = await getDatabase();
  const [u] = await handle.db.select({ role: users.role, totpEnabledAt: users.totpEnabledAt, deletedAt: users.deletedAt }).from(users).where(eq(users.id, userId));
  if (!u || u.deletedAt || u.role !== "admin") return "not_admin";
  return u.totpEnabledAt ? "yes" : "needs_two_factor";
}

/** The stored file of a completed backup, for the download route: its key, size and how to stream it. */
export async function backupForDownload(id: string) {
  const handle = await getDatabase();
  const [row] = await handle.db.select().from(backups).where(eq(backups.id, id));
  if (!row || row.status !== "completed" || row.prunedAt || !row.location) return null;
  return { row, storage: backupStorage() };
}
