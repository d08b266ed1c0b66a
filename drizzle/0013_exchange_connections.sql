CREATE TYPE "public"."exchange_connection_status" AS ENUM('unverified', 'active', 'error', 'removing', 'removed');--> statement-breakpoint
CREATE TABLE "exchange_connections" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"exchange_id" text NOT NULL,
	"label" text NOT NULL,
	"account_type" text DEFAULT 'spot' NOT NULL,
	"sandbox" boolean DEFAULT true NOT NULL,
	"live_confirmed_at" timestamp with time zone,
	"credentials_sealed" text NOT NULL,
	"key_hint" text NOT NULL,
	"status" "exchange_connection_status" DEFAULT 'unverified' NOT NULL,
	"status_reason" text,
	"permissions" jsonb,
	"last_checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "exchange_connections" ADD CONSTRAINT "exchange_connections_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "exchange_connections_user_id_idx" ON "exchange_connections" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "exchange_connections_user_id_label_idx" ON "exchange_connections" USING btree ("user_id","label") WHERE status <> 'removed';