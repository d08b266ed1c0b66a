/**
 * Downloads a backup's main file (/admin/backups "Download"): admins with two-factor sign-in on only, in every
 * environment, since a backup is every account's data at once. A visitor gets 401, anyone else 403, an unknown or
 * pruned backup 404. The file is fetched from storage (the directory or the bucket) to a temporary file and streamed;
 * each download is audited.
 */
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { auth } from "@/server/auth";
import { getDatabase } from "@/server/db";
import { statusOf } from "@/server/errors";
import { errorResponse, fromError, privateAnswer } from "@/server/http/respond";
import { handleRequest } from "@/server/http/service-context";
import { recordAudit } from "@/server/services/audit";
import { backupForDownload, mayDownloadBackups } from "@/server/services/restore/admin";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleRequest(req, "/api/admin/backups/[id]", async ({ log, service }) => {
    try {
      const session = await auth();
      if (!session?.user?.id) return privateAnswer(errorResponse(statusOf("unauthorized"), "Sign in as an admin to download backups"));
      const handle = await getDatabase();
      const may = await mayDownloadBackups(session.user.id);
      if (may === "not_admin") return privateAnswer(errorResponse(statusOf("forbidden"), "Admins only"));
      if (may === "needs_two_factor") return privateAnswer(errorResponse(statusOf("forbidden"), "Turn on two-factor sign-in to download backups"));
      const { id } = await params;
      if (!/^bkp_[A-Za-z0-9]{1,40}$/.test(id)) return privateAnswer(errorResponse(statusOf("invalid"), "Not a backup id"));
      const found = await backupForDownload(id);
      if (!found) return privateAnswer(errorResponse(statusOf("not_found"), "No such backup in storage"));
      const key = found.row.location!;
      const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "tradsy-download-"));
      const file = path.join(dir, key);
      try {
        await found.storage.get(key, file);
      } catch (err) {
        await fsp.rm(dir, { recursive: true, force: true });
        throw err;
      }
      const size = (await fsp.stat(file)).size;
      const { ip, userAgent } = service();
      await recordAudit(handle.db, { actorId: session.user.id, action: "backup.downloaded", targetType: "backup", targetId: id, data: { file: key, sizeBytes: size }, ip, userAgent });
      const stream = fs.createReadStream(file);
      // The temporary copy goes once streamed (or the client went away).
      stream.on("close", () => void fsp.rm(dir, { recursive: true, force: true }));
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        status: 200,
        headers: {
          "content-type": key.endsWith(".tar.gz") ? "application/gzip" : "application/octet-stream",
          "content-length": String(size),
          "content-disposition": `attachment; filename="tradsy-${key}"`,
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
        },
      });
    } catch (err) {
      return privateAnswer(fromError(err, "GET /api/admin/backups/[id]", log));
    }
  });
}
