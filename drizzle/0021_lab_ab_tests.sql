CREATE TYPE "public"."ab_test_status" AS ENUM('running', 'decided', 'promoted', 'stopped');--> statement-breakpoint
CREATE TABLE "strategy_ab_tests" (
	"id" text PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"user_id" text NOT NULL,
	"status" "ab_test_status" DEFAULT 'running' NOT NULL,
	"variants" jsonb NOT NULL,
	"effect_size" double precision NOT NULL,
	"alpha" double precision NOT NULL,
	"power" double precision NOT NULL,
	"trades_needed" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"result" jsonb,
	"evaluated_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"winner" text,
	"promoted_version" integer,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "strategy_runs" ADD COLUMN "version_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "strategy_ab_tests" ADD CONSTRAINT "strategy_ab_tests_run_id_strategy_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."strategy_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_ab_tests" ADD CONSTRAINT "strategy_ab_tests_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "strategy_ab_tests_run_id_idx" ON "strategy_ab_tests" USING btree ("run_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "strategy_ab_tests_one_running_idx" ON "strategy_ab_tests" USING btree ("run_id") WHERE "strategy_ab_tests"."status" = 'running';