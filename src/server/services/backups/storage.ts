/**
 * Where backups live: a directory on this disk (BACKUP_DIR, default `<DATA_DIR>/backups`) or an S3-compatible bucket
 * when BACKUP_S3_BUCKET is set (AWS SDK v3; a custom endpoint and path-style URLs for MinIO, R2 and local fakes).
 * Both speak in keys (file names) and local files: a dump is written to a temporary file, `put` streams it up, `get`
 * streams it down to a temporary file for verification or restore.
 *
 * The storage is the truth: every backup is stored with `<id>.manifest.json`, written last, so a backup whose
 * manifest is present is complete, and the `backups` table can be rebuilt from the manifests after a restore.
 */
import "server-only";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { env } from "@/env";
import { backupFiles } from "@/lib/backups";
import type { BackupManifest } from "./types";

export interface StoredObject {
  key: string;
  sizeBytes: number;
  modifiedAt: Date;
}

export interface BackupStorage {
  kind: "local" | "s3";
  /** For messages and the admin page: the directory, or s3://bucket/prefix. */
  describe(): string;
  /** Streams a local file to `key`; `sha256` (hex), when given, is sent for the store to check (S3). */
  put(key: string, localPath: string, options?: { sha256?: string; contentType?: string }): Promise<void>;
  /** Downloads `key` to `localPath`. Throws a NotFound-style error when it is absent. */
  get(key: string, localPath: string): Promise<void>;
  /** Every object under the backups prefix, keys relative to it. */
  list(): Promise<StoredObject[]>;
  /** Removes `key`; absent is not an error. */
  remove(key: string): Promise<void>;
  /** The backup's manifest, or null when it has none (not complete, or removed). */
  readManifest(id: string): Promise<BackupManifest | null>;
  writeManifest(manifest: BackupManifest): Promise<void>;
}

export class BackupFileMissingError extends Error {
  constructor(key: string, where: string) {
    super(`Backup file ${key} is not in ${where}`);
    this.name = "BackupFileMissingError";
  }
}

function safeKey(key: string): string {
  // Keys are ids and fixed suffixes; refuse anything that could leave the directory.
  if (!/^[A-Za-z0-9_.:-]+$/.test(key) || key.includes("..")) throw new Error(`Invalid backup key "${key}"`);
  return key;
}

export function localStorage(dir: string): BackupStorage {
  const root = path.resolve(dir);
  const file = (key: string) => path.join(root, safeKey(key));
  return {
    kind: "local",
    describe: () => root,
    async put(key, localPath) {
      // Owner-only: a backup is every account's data (a directory made here is 0700, each file 0600).
      await fsp.mkdir(root, { recursive: true, mode: 0o700 });
      // Written beside, then renamed: a reader never sees half a file.
      const partial = `${file(key)}.partial`;
      await fsp.copyFile(localPath, partial);
      await fsp.chmod(partial, 0o600);
      await fsp.rename(partial, file(key));
    },
    async get(key, localPath) {
      try {
        await fsp.copyFile(file(key), localPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new BackupFileMissingError(key, root);
        throw err;
      }
    },
    async list() {
      let names: string[];
      try {
        names = await fsp.readdir(root);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
      }
      const out: StoredObject[] = [];
      for (const name of names.sort()) {
        if (name.endsWith(".partial")) continue;
        const st = await fsp.stat(path.join(root, name)).catch(() => null);
        if (st?.isFile()) out.push({ key: name, sizeBytes: st.size, modifiedAt: st.mtime });
      }
      return out;
    },
    async remove(key) {
      await fsp.rm(file(key), { force: true });
    },
    async readManifest(id) {
      try {
        return JSON.parse(await fsp.readFile(file(backupFiles.manifest(id)), "utf8")) as BackupManifest;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    async writeManifest(manifest) {
      await fsp.mkdir(root, { recursive: true });
      const target = file(backupFiles.manifest(manifest.id));
      await fsp.writeFile(`${target}.partial`, JSON.stringify(manifest, null, 2));
      await fsp.rename(`${target}.partial`, target);
    },
  };
}

export interface S3Settings {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  prefix: string;
  forcePathStyle: boolean;
}

export function s3Storage(settings: S3Settings): BackupStorage {
  // Loaded on first use: the SDK is large and only S3 deployments need it.
  const sdk = import("@aws-sdk/client-s3");
  const client = sdk.then(
    ({ S3Client }) =>
      new S3Client({
        region: settings.region,
        endpoint: settings.endpoint,
        forcePathStyle: settings.forcePathStyle,
        credentials: settings.accessKeyId && settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
        // Checksums only where the API requires them: S3-compatible stores (older MinIO, R2) reject the aws-chunked
        // trailers the SDK otherwise sends with streamed bodies. `put` sends the sha256 we computed instead.
        requestChecksumCalculation: "WHEN_REQUIRED",
        responseChecksumValidation: "WHEN_REQUIRED",
      }),
  );
  const fullKey = (key: string) => `${settings.prefix}${safeKey(key)}`;
  const where = `s3://${settings.bucket}/${settings.prefix}`;
  const isMissing = (err: unknown) => {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return e.name === "NoSuchKey" || e.name === "NotFound" || e.$metadata?.httpStatusCode === 404;
  };
  async function getBody(key: string): Promise<Readable> {
    const { GetObjectCommand } = await sdk;
    try {
      const res = await (await client).send(new GetObjectCommand({ Bucket: settings.bucket, Key: fullKey(key) }));
      return res.Body as Readable;
    } catch (err) {
      if (isMissing(err)) throw new BackupFileMissingError(key, where);
      throw err;
    }
  }
  return {
    kind: "s3",
    describe: () => where,
    async put(key, localPath, options) {
      const { PutObjectCommand } = await sdk;
      const { size } = await fsp.stat(localPath);
      await (await client).send(
        new PutObjectCommand({
          Bucket: settings.bucket,
          Key: fullKey(key),
          // Streamed from disk: a dump is never held in memory. A known length lets the SDK send it in one request.
          Body: fs.createReadStream(localPath),
          ContentLength: size,
          ContentType: options?.contentType ?? "application/octet-stream",
          ChecksumSHA256: options?.sha256 ? Buffer.from(options.sha256, "hex").toString("base64") : undefined,
        }),
      );
    },
    async get(key, localPath) {
      await pipeline(await getBody(key), fs.createWriteStream(localPath));
    },
    async list() {
      const { ListObjectsV2Command } = await sdk;
      const out: StoredObject[] = [];
      let token: string | undefined;
      do {
        const res = await (await client).send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: settings.prefix || undefined, ContinuationToken: token }));
        for (const o of res.Contents ?? []) {
          if (!o.Key) continue;
          out.push({ key: o.Key.slice(settings.prefix.length), sizeBytes: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) });
        }
        token = res.IsTruncated ? res.NextContinuationToken : undefined;
      } while (token);
      return out;
    },
    async remove(key) {
      const { DeleteObjectCommand } = await sdk;
      await (await client).send(new DeleteObjectCommand({ Bucket: settings.bucket, Key: fullKey(key) }));
    },
    async readManifest(id) {
      let body: Readable;
      try {
        body = await getBody(backupFiles.manifest(id));
      } catch (err) {
        if (err instanceof BackupFileMissingError) return null;
        throw err;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      return JSON.parse(Buffer.concat(chunks).toString("utf8")) as BackupManifest;
    },
    async writeManifest(manifest) {
      const { PutObjectCommand } = await sdk;
      const body = JSON.stringify(manifest, null, 2);
      await (await client).send(
        new PutObjectCommand({ Bucket: settings.bucket, Key: fullKey(backupFiles.manifest(manifest.id)), Body: body, ContentType: "application/json" }),
      );
    },
  };
}

/** The storage the env configures: the bucket when BACKUP_S3_BUCKET is set, else BACKUP_DIR or `<DATA_DIR>/backups`. */
export function backupStorage(): BackupStorage {
  if (env.BACKUP_S3_BUCKET) {
    return s3Storage({
      bucket: env.BACKUP_S3_BUCKET,
      endpoint: env.BACKUP_S3_ENDPOINT,
      region: env.BACKUP_S3_REGION,
      accessKeyId: env.BACKUP_S3_ACCESS_KEY_ID,
      secretAccessKey: env.BACKUP_S3_SECRET_ACCESS_KEY,
      prefix: env.BACKUP_S3_PREFIX,
      forcePathStyle: env.BACKUP_S3_FORCE_PATH_STYLE,
    });
  }
  return localStorage(env.BACKUP_DIR ?? path.join(env.DATA_DIR, "backups"));
}
