import "server-only";
import { text, timestamp } from "drizzle-orm/pg-core";
import { newId } from "@/lib/ids";

/** timestamptz columns everywhere; `createdAt` defaults to now(), `updatedAt` too and is set again by every update. */
export const tstz = () => timestamp({ withTimezone: true, mode: "date" });
export const createdAt = () => tstz().notNull().defaultNow();
export const updatedAt = () =>
  tstz()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

/** A text primary key made here as `<prefix>_<random>` (prefixed ids where ids reach URLs and logs). */
export const prefixedId = (prefix: string) =>
  text()
    .primaryKey()
    .$defaultFn(() => newId(prefix));
