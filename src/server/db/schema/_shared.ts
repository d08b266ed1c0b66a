import "server-only";
import { timestamp } from "drizzle-orm/pg-core";

/** timestamptz columns everywhere; `createdAt` defaults to now(). */
export const tstz = () => timestamp({ withTimezone: true, mode: "date" });
export const createdAt = () => tstz().notNull().defaultNow();
