import { defineConfig } from "drizzle-kit";

// Migrations are generated from the schema and run unchanged on PostgreSQL and PGlite.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/server/db/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
  ...(process.env.DATABASE_URL
    ? { dbCredentials: { url: process.env.DATABASE_URL } }
    : { driver: "pglite", dbCredentials: { url: `${process.env.DATA_DIR ?? ".data"}/pglite` } }),
});
