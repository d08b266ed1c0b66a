CREATE TYPE "public"."risk_tolerance" AS ENUM('low', 'medium', 'high');--> statement-breakpoint
CREATE TYPE "public"."trading_experience" AS ENUM('beginner', 'intermediate', 'expert');--> statement-breakpoint
CREATE TYPE "public"."backtest_status" AS ENUM('queued', 'running', 'done', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."strategy_run_status" AS ENUM('running', 'stopped');--> statement-breakpoint
ALTER TYPE "public"."signal_source" ADD VALUE 'strategy';--> statement-breakpoint
CREATE TABLE "strategies" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"rules" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_backtest_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text,
	"strategy_id" text,
	"curated_id" text,
	"strategy_version" integer DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rules" jsonb,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"data_from" timestamp with time zone,
	"data_to" timestamp with time zone,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" "backtest_status" DEFAULT 'queued' NOT NULL,
	"bars_done" integer DEFAULT 0 NOT NULL,
	"bars_total" integer DEFAULT 0 NOT NULL,
	"stats" jsonb,
	"equity" jsonb,
	"trades" jsonb,
	"trade_count" integer,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "strategy_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"strategy_id" text,
	"curated_id" text,
	"strategy_version" integer DEFAULT 1 NOT NULL,
	"name" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"rules" jsonb,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"status" "strategy_run_status" DEFAULT 'running' NOT NULL,
	"incubation_ends_at" timestamp with time zone NOT NULL,
	"max_daily_loss" numeric DEFAULT '0.05' NOT NULL,
	"max_trades_per_day" integer DEFAULT 10 NOT NULL,
	"processed_until" timestamp with time zone,
	"stopped_at" timestamp with time zone,
	"stopped_by" text,
	"stop_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "providers_user_id_idx";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "risk_tolerance" "risk_tolerance";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "experience" "trading_experience";--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "automated" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "listed_from" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "strategies" ADD CONSTRAINT "strategies_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_backtest_runs" ADD CONSTRAINT "strategy_backtest_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_backtest_runs" ADD CONSTRAINT "strategy_backtest_runs_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_strategy_id_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."strategies"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_runs" ADD CONSTRAINT "strategy_runs_stopped_by_users_id_fk" FOREIGN KEY ("stopped_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "strategies_user_id_idx" ON "strategies" USING btree ("user_id","updated_at");--> statement-breakpoint
CREATE INDEX "strategy_backtest_runs_user_id_idx" ON "strategy_backtest_runs" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "strategy_backtest_runs_status_idx" ON "strategy_backtest_runs" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "strategy_backtest_runs_reference_idx" ON "strategy_backtest_runs" USING btree ("curated_id","strategy_version","symbol","timeframe") WHERE "strategy_backtest_runs"."user_id" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "strategy_runs_provider_id_idx" ON "strategy_runs" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "strategy_runs_user_id_idx" ON "strategy_runs" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "strategy_runs_status_idx" ON "strategy_runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "providers_owner_idx" ON "providers" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "providers_user_id_idx" ON "providers" USING btree ("user_id") WHERE "providers"."automated" = false;