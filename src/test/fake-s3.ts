/**
 * A local stand-in for an S3-compatible bucket (path-style: /<bucket>/<key>), for tests of code that talks to S3
 * through the AWS SDK: PutObject, GetObject, ListObjectsV2, DeleteObject. Objects live in memory; every request is
 * recorded (method, path, query, headers, body length and sha256) for tests to assert. No network beyond 127.0.0.1.
 * A PUT whose x-amz-checksum-sha256 does not match its body is refused (400 BadDigest), as S3 does.
 */
import http from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface RecordedS3Request {
  method: string;
  /** The path without the query, decoded: "/bucket/prefix/key". */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  bodyLength: number;
  bodySha256: string;
}

export interface FakeS3 {
  endpoint: string;
  requests: RecordedS3Request[];
  objects: Map<string, Buffer>;
  close(): Promise<void>;
}

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function xmlError(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

export async function startFakeS3(bucket: string): Promise<FakeS3> {
  const objects = new Map<string, Buffer>();
  const requests: RecordedS3Request[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://fake-s3");
      const path = decodeURIComponent(url.pathname);
      const sha = createHash("sha256").update(body).digest();
      requests.push({ method: req.method ?? "", path, query: Object.fromEntries(url.searchParams), headers: req.headers, bodyLength: body.length, bodySha256: sha.toString("hex") });
      if (!req.headers.authorization?.startsWith("AWS4-HMAC-SHA256 ")) return xmlError(res, 403, "AccessDenied", "No signature");
      const [, b, ...rest] = path.split("/");
      if (b !== bucket) return xmlError(res, 404, "NoSuchBucket", `No bucket ${b}`);
      const key = rest.join("/");
      if (req.method === "PUT" && key) {
        const claimed = req.headers["x-amz-checksum-sha256"];
        if (claimed && claimed !== sha.toString("base64")) return xmlError(res, 400, "BadDigest", "The sha256 you specified did not match what we received.");
        objects.set(key, body);
        res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
        return res.end();
      }
      if (req.method === "GET" && key) {
        const obj = objects.get(key);
        if (!obj) return xmlError(res, 404, "NoSuchKey", "The specified key does not exist.");
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": obj.length });
        return res.end(obj);
      }
      if (req.method === "DELETE" && key) {
        objects.delete(key);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === "GET" && !key && url.searchParams.get("list-type") === "2") {
        const prefix = url.searchParams.get("prefix") ?? "";
        const contents = [...objects.entries()]
          .filter(([k]) => k.startsWith(prefix))
          .sort(([a], [z]) => a.localeCompare(z))
          .map(([k, v]) => `<Contents><Key>${xmlEscape(k)}</Key><LastModified>2026-12-07T00:00:00.000Z</LastModified><Size>${v.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
          .join("");
        res.writeHead(200, { "content-type": "application/xml" });
        return res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${objects.size}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
        );
      }
      xmlError(res, 400, "NotImplemented", `${req.method} ${path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
