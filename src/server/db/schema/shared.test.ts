/** The shared column helpers keep their meaning in every table that uses them. */
import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { notificationPrefs, providers, signals, subscriptions, users } from "./index";

describe("updatedAt", () => {
  it("is not null, defaults to now() and is set again on every update, in each table that has it", () => {
    for (const table of [users, providers, signals, subscriptions, notificationPrefs]) {
      const column = getTableColumns(table).updatedAt;
      expect(column.notNull).toBe(true);
      expect(column.hasDefault).toBe(true);
      expect(column.onUpdateFn?.()).toBeInstanceOf(Date);
    }
  });
});

describe("prefixedId", () => {
  it("is the text primary key, made with its table's prefix", () => {
    const column = getTableColumns(users).id;
    expect(column.primary).toBe(true);
    expect(column.columnType).toBe("PgText");
    expect(column.defaultFn?.()).toMatch(/^usr_[0-9a-hjkmnp-tv-z]{20}$/);
    expect(getTableColumns(signals).id.defaultFn?.()).toMatch(/^sig_/);
  });
});
