/**
 * Backups (issue 18): storage (local directory or S3), manifests, create / verify / list, retention.
 * Restore lives beside these (./restore.ts) and builds on the same pieces.
 */
import "server-only";
export { backupStorage, localStorage, s3Storage, BackupFileMissingError, type BackupStorage, type StoredObject, type S3Settings } from "./storage";
export { computeManifest, EXCLUDED_TABLES } from "./manifest";
export {
  applyRetention,
  BackupNotFoundError,
  createBackup,
  deleteBackup,
  libpqEnv,
  listBackups,
  newestCompletedBackup,
  openPgliteCopy,
  runTool,
  sha256File,
  SHA256_MISMATCH,
  verifyBackup,
} from "./backups";
export type { BackupEngine, BackupFormat, BackupManifest, BackupRow, CreateBackupOptions, VerifyResult } from "./types";
