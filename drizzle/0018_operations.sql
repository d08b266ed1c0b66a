CREATE TYPE "public"."backup_kind" AS ENUM('daily', 'weekly', 'monthly', 'manual');--> statement-breakpoint
CREATE TYPE "public"."backup_status" AS ENUM('running', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."backup_verification" AS ENUM('passed', 'failed');--> statement-breakpoint
ALTER TYPE "public"."email_status" ADD VALUE 'held';--> statement-breakpoint
ALTER TYPE "public"."job_run_status" ADD VALUE 'held';--> statement-breakpoint
ALTER TYPE "public"."copy_order_status" ADD VALUE 'held';--> statement-breakpoint
ALTER TYPE "public"."copy_fanout_status" ADD VALUE 'held';--> statement-breakpoint
ALTER TYPE "public"."channel_delivery_status" ADD VALUE 'held';--> statement-breakpoint
CREATE TABLE "backups" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "backup_kind" NOT NULL,
	"slot" text NOT NULL,
	"engine" text NOT NULL,
	"format" text NOT NULL,
	"status" "backup_status" DEFAULT 'running' NOT NULL,
	"storage" text NOT NULL,
	"location" text,
	"sql_location" text,
	"size_bytes" bigint,
	"sha256" text,
	"manifest" jsonb,
	"error" text,
	"created_by_id" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"verification" "backup_verification",
	"verification_error" text,
	"pruned_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ops_alerts" (
	"metric" text NOT NULL,
	"level" text NOT NULL,
	"value" double precision NOT NULL,
	"threshold" double precision NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sent_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ops_alerts_metric_level_pk" PRIMARY KEY("metric","level")
);
--> statement-breakpoint
CREATE TABLE "ops_maintenance" (
	"id" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "ops_readings" (
	"metric" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "ops_readings_metric_at_pk" PRIMARY KEY("metric","at")
);
--> statement-breakpoint
ALTER TABLE "backups" ADD CONSTRAINT "backups_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "backups_slot_idx" ON "backups" USING btree ("slot");--> statement-breakpoint
CREATE INDEX "backups_kind_started_idx" ON "backups" USING btree ("kind","started_at");--> statement-breakpoint
CREATE INDEX "backups_created_by_id_idx" ON "backups" USING btree ("created_by_id");--> statement-breakpoint
CREATE INDEX "ops_maintenance_open_idx" ON "ops_maintenance" USING btree ("started_at") WHERE ended_at is null;--> statement-breakpoint
CREATE INDEX "ops_readings_at_idx" ON "ops_readings" USING btree ("at");