CREATE TYPE "public"."optimization_kind" AS ENUM('optimize', 'walk-forward');--> statement-breakpoint
CREATE TABLE "strategy_optimization_trials" (
	"optimization_id" text NOT NULL,
	"params_key" text NOT NULL,
	"seq" integer NOT NULL,
	"params" jsonb NOT NULL,
	"value" double precision,
	"reason" text,
	"trades" integer NOT NULL,
	"return_pct" double precision NOT NULL,
	"max_drawdown_pct" double precision NOT NULL,
	"sharpe" double precision,
	"win_rate_pct" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "strategy_optimization_trials_optimization_id_params_key_pk" PRIMARY KEY("optimization_id","params_key")
);
--> statement-breakpoint
CREATE TABLE "strategy_optimizations" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" "optimization_kind" DEFAULT 'optimize' NOT NULL,
	"curated_id" text NOT NULL,
	"name" text NOT NULL,
	"method" text NOT NULL,
	"objective" text NOT NULL,
	"min_trades" integer NOT NULL,
	"space" jsonb NOT NULL,
	"budget" integer NOT NULL,
	"seed" integer NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"data_from" timestamp with time zone,
	"data_to" timestamp with time zone,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"windows" jsonb,
	"status" "backtest_status" DEFAULT 'running' NOT NULL,
	"trials_done" integer DEFAULT 0 NOT NULL,
	"windows_done" integer DEFAULT 0 NOT NULL,
	"windows_total" integer DEFAULT 0 NOT NULL,
	"best_value" double precision,
	"best_params" jsonb,
	"result" jsonb,
	"error" text,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "strategy_optimization_trials" ADD CONSTRAINT "strategy_optimization_trials_optimization_id_strategy_optimizations_id_fk" FOREIGN KEY ("optimization_id") REFERENCES "public"."strategy_optimizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "strategy_optimizations" ADD CONSTRAINT "strategy_optimizations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "strategy_optimization_trials_seq_idx" ON "strategy_optimization_trials" USING btree ("optimization_id","seq");--> statement-breakpoint
CREATE INDEX "strategy_optimizations_user_id_idx" ON "strategy_optimizations" USING btree ("user_id","created_at");