/**
 * A stand-alone process (run with tsx by src/app/api/ready/route.test.ts) that answers one `/api/ready` request as
 * the server would, on the database named by DATABASE_URL (or none), and prints `{ status, body }` as a JSON line.
 */
import { GET } from "@/app/api/ready/route";
const res = await GET();
process.stdout.write(`${JSON.stringify({ status: res.status, cacheControl: res.headers.get("cache-control"), body: await res.json() })}\n`);
process.exit(0);
