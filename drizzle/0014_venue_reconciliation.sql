CREATE TYPE "public"."venue_discrepancy_kind" AS ENUM('missed_fill', 'unrecorded_order', 'orphan_exchange', 'orphan_ledger', 'dust');--> statement-breakpoint
CREATE TABLE "venue_discrepancies" (
	"id" text PRIMARY KEY NOT NULL,
	"connection_id" text NOT NULL,
	"user_id" text NOT NULL,
	"kind" "venue_discrepancy_kind" NOT NULL,
	"symbol" text,
	"detail" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"found_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "copy_orders" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "copy_orders" ADD COLUMN "remainder_of" text;--> statement-breakpoint
-- Orders planned before this migration may have been sent already: their next attempt must look them up first.
UPDATE "copy_orders" SET "attempts" = 1 WHERE "status" = 'planned' AND "venue" <> 'paper';--> statement-breakpoint
-- Remainders planned before it were told apart by their reason: name the order they complete.
UPDATE "copy_orders" SET "remainder_of" = substring("reason" from 'under (\S+)$') WHERE "status" = 'planned' AND "reason" LIKE 'remainder:%';--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD COLUMN "last_reconciled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "venue_discrepancies" ADD CONSTRAINT "venue_discrepancies_connection_id_exchange_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."exchange_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "venue_discrepancies" ADD CONSTRAINT "venue_discrepancies_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "venue_discrepancies_user_id_found_at_idx" ON "venue_discrepancies" USING btree ("user_id","found_at");--> statement-breakpoint
CREATE INDEX "venue_discrepancies_open_idx" ON "venue_discrepancies" USING btree ("status","found_at");--> statement-breakpoint
CREATE UNIQUE INDEX "venue_discrepancies_connection_id_dedupe_key_idx" ON "venue_discrepancies" USING btree ("connection_id","dedupe_key") WHERE status = 'open';