/**
 * Who may scrape `/api/metrics`: a caller sending `Authorization: Bearer <METRICS_TOKEN>`. Without METRICS_TOKEN the
 * endpoint does not exist for anyone. Compared in constant time (over sha256 digests, so lengths leak nothing either).
 */
import "server-only";
import { createHash, timingSafeEqual } from "node:crypto";
import { env } from "@/env";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function mayScrape(authorization: string | null): boolean {
  const token = env.METRICS_TOKEN;
  if (!token) return false;
  const sent = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  if (!sent) return false;
  return timingSafeEqual(digest(sent), digest(token));
}
