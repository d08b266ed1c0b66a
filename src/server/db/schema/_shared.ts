import "server-only";
import { timestamp } from "drizzle-orm/pg-core";

/** timestamptz columns everywhere; `createdAt` defaults to now(), `updatedAt` too and is set again by every update. */
export const tstz = () => timestamp({ withTimezone: true, mode: "date" });
export const createdAt = () => tstz().notNull().defaultNow();
export const updatedAt = () =>
  tstz()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
