import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestDatabase } from "@/test/db";
import { useEnvOverrides } from "@/test/env";
import { createUser } from "@/test/factories";
import { startFakeS3, type FakeS3 } from "@/test/fake-s3";
import { backupStorage, createBackup, deleteBackup, verifyBackup } from ".";
import type { BackupManifest } from "./types";

const t = useTestDatabase();
// A PGlite backup loads its data directory into a scratch instance twice (manifest, verification) and runs the wasm
// pg_dump: tens of seconds on a busy 2-core machine.
const SLOW = 120_000;
const setEnv = useEnvOverrides();
const BUCKET = "tradsy-backups";
const PREFIX = "test/run-1/";
let s3: FakeS3;

beforeAll(async () => {
  s3 = await startFakeS3(BUCKET);
});
afterAll(async () => {
  await s3.close();
});

function pointAtFakeS3(): void {
  setEnv("BACKUP_S3_BUCKET", BUCKET);
  setEnv("BACKUP_S3_ENDPOINT", s3.endpoint);
  setEnv("BACKUP_S3_REGION", "eu-west-1");
  setEnv("BACKUP_S3_ACCESS_KEY_ID", "AKIDFAKE");
  setEnv("BACKUP_S3_SECRET_ACCESS_KEY", "fake-secret");
  setEnv("BACKUP_S3_PREFIX", PREFIX);
  setEnv("BACKUP_S3_FORCE_PATH_STYLE", true);
}

describe(`backups in an S3-compatible bucket (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("uploads, lists, downloads and deletes through the S3 API when BACKUP_S3_* is set", async () => {
    pointAtFakeS3();
    s3.requests.length = 0;
    await createUser("subscriber");
    const backup = await createBackup(t.handle, { kind: "manual" });
    expect(backup.storage).toBe("s3");
    const base = `/${BUCKET}/${PREFIX}${backup.id}`;

    const puts = s3.requests.filter((r) => r.method === "PUT");
    const expectedPaths = [`${base}.${t.handle.kind === "postgres" ? "dump" : "tar.gz"}`, ...(t.handle.kind === "pglite" ? [`${base}.sql`] : []), `${base}.manifest.json`];
    // The manifest goes last: its presence says the files are all there.
    expect(puts.map((r) => r.path)).toEqual(expectedPaths);
    for (const r of puts) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\/\d{8}\/eu-west-1\/s3\/aws4_request/);
      expect(Number(r.headers["content-length"])).toBe(r.bodyLength);
    }
    const main = puts[0]!;
    expect(main.bodyLength).toBe(backup.sizeBytes);
    expect(main.bodySha256).toBe(backup.sha256);
    // The sha256 we computed travels with the upload, so the store refuses a body damaged on the way.
    expect(main.headers["x-amz-checksum-sha256"]).toBe(Buffer.from(backup.sha256!, "hex").toString("base64"));
    const manifest = JSON.parse(s3.objects.get(`${PREFIX}${backup.id}.manifest.json`)!.toString("utf8")) as BackupManifest;
    expect(manifest).toMatchObject({ id: backup.id, sha256: backup.sha256, file: main.path.split("/").pop() });
    expect(createHash("sha256").update(s3.objects.get(`${PREFIX}${manifest.file}`)!).digest("hex")).toBe(backup.sha256);

    s3.requests.length = 0;
    const listed = await backupStorage().list();
    expect(listed.map((o) => o.key).sort()).toEqual(expectedPaths.map((p) => p.slice(`/${BUCKET}/${PREFIX}`.length)).sort());
    expect(s3.requests).toMatchObject([{ method: "GET", path: `/${BUCKET}/`, query: { "list-type": "2", prefix: PREFIX } }]);

    s3.requests.length = 0;
    const result = await verifyBackup(t.handle, backup.id);
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    const gets = s3.requests.filter((r) => r.method === "GET").map((r) => r.path);
    expect(gets).toEqual(expect.arrayContaining([`${base}.manifest.json`, expectedPaths[0]]));
    for (const r of s3.requests) expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);

    s3.requests.length = 0;
    await deleteBackup(t.db, backup.id);
    const deletes = s3.requests.filter((r) => r.method === "DELETE").map((r) => r.path);
    expect(deletes[0]).toBe(`${base}.manifest.json`);
    expect(deletes).toEqual(expect.arrayContaining(expectedPaths));
    expect([...s3.objects.keys()].filter((k) => k.includes(backup.id))).toEqual([]);
    expect(await backupStorage().readManifest(backup.id)).toBeNull();
  }, SLOW);
});
