CREATE TYPE "public"."entry_type" AS ENUM('market', 'limit');--> statement-breakpoint
CREATE TYPE "public"."signal_event_kind" AS ENUM('published', 'filled', 'stop_moved', 'partial_close', 'closed', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."signal_side" AS ENUM('long', 'short');--> statement-breakpoint
CREATE TYPE "public"."signal_source" AS ENUM('ui', 'api', 'tradingview', 'demo');--> statement-breakpoint
CREATE TYPE "public"."signal_status" AS ENUM('pending', 'open', 'closed', 'cancelled', 'expired');--> statement-breakpoint
CREATE TYPE "public"."stats_window" AS ENUM('30d', '90d', '1y', 'all');--> statement-breakpoint
CREATE TYPE "public"."subscription_status" AS ENUM('incomplete', 'trialing', 'active', 'past_due', 'paused', 'canceled');--> statement-breakpoint
CREATE TABLE "provider_stats" (
	"provider_id" text NOT NULL,
	"window" "stats_window" NOT NULL,
	"closed_signals" integer NOT NULL,
	"wins" integer NOT NULL,
	"roi" numeric NOT NULL,
	"win_rate" numeric NOT NULL,
	"profit_factor" numeric,
	"max_drawdown" numeric NOT NULL,
	"sharpe" numeric,
	"sortino" numeric,
	"expectancy" numeric NOT NULL,
	"avg_r" numeric,
	"avg_hold_hours" numeric NOT NULL,
	"score" numeric,
	"ranked" boolean NOT NULL,
	"first_signal_at" timestamp with time zone,
	"computed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signal_events" (
	"id" text PRIMARY KEY NOT NULL,
	"provider_id" text NOT NULL,
	"signal_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" "signal_event_kind" NOT NULL,
	"at" text NOT NULL,
	"data" jsonb NOT NULL,
	"nonce" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "signals" (
	"id" text PRIMARY KEY NOT NULL,
	"provider_id" text NOT NULL,
	"number" integer NOT NULL,
	"symbol" text NOT NULL,
	"side" "signal_side" NOT NULL,
	"entry_type" "entry_type" NOT NULL,
	"entry_price" numeric NOT NULL,
	"initial_stop" numeric,
	"stop_loss" numeric,
	"take_profits" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"source" "signal_source" NOT NULL,
	"status" "signal_status" NOT NULL,
	"idempotency_key" text,
	"published_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"filled_at" timestamp with time zone,
	"fill_price" numeric,
	"remaining" numeric DEFAULT '1' NOT NULL,
	"targets_hit" integer[] DEFAULT '{}' NOT NULL,
	"closed_at" timestamp with time zone,
	"exit_price" numeric,
	"exit_reason" text,
	"result_pct" numeric,
	"result_r" numeric,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"subscriber_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"status" "subscription_status" NOT NULL,
	"stripe_subscription_id" text,
	"stripe_customer_id" text,
	"current_period_end" timestamp with time zone,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL,
	"past_due_since" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "candles" (
	"source" text NOT NULL,
	"symbol" text NOT NULL,
	"timeframe" text NOT NULL,
	"open_time" bigint NOT NULL,
	"open" numeric NOT NULL,
	"high" numeric NOT NULL,
	"low" numeric NOT NULL,
	"close" numeric NOT NULL,
	"volume" numeric NOT NULL,
	CONSTRAINT "candles_source_symbol_timeframe_open_time_pk" PRIMARY KEY("source","symbol","timeframe","open_time")
);
--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "webhook_token_hash" text;--> statement-breakpoint
ALTER TABLE "providers" ADD COLUMN "webhook_passphrase_enc" text;--> statement-breakpoint
ALTER TABLE "provider_stats" ADD CONSTRAINT "provider_stats_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_events" ADD CONSTRAINT "signal_events_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signal_events" ADD CONSTRAINT "signal_events_signal_id_signals_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "signals" ADD CONSTRAINT "signals_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_subscriber_id_users_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "provider_stats_provider_id_window_idx" ON "provider_stats" USING btree ("provider_id","window");--> statement-breakpoint
CREATE INDEX "provider_stats_window_score_idx" ON "provider_stats" USING btree ("window","score");--> statement-breakpoint
CREATE UNIQUE INDEX "signal_events_provider_id_seq_idx" ON "signal_events" USING btree ("provider_id","seq");--> statement-breakpoint
CREATE INDEX "signal_events_signal_id_idx" ON "signal_events" USING btree ("signal_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_provider_id_number_idx" ON "signals" USING btree ("provider_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "signals_provider_id_idempotency_key_idx" ON "signals" USING btree ("provider_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "signals_provider_id_status_idx" ON "signals" USING btree ("provider_id","status");--> statement-breakpoint
CREATE INDEX "signals_status_idx" ON "signals" USING btree ("status");--> statement-breakpoint
CREATE INDEX "signals_provider_id_closed_at_idx" ON "signals" USING btree ("provider_id","closed_at");--> statement-breakpoint
CREATE INDEX "subscriptions_subscriber_id_idx" ON "subscriptions" USING btree ("subscriber_id");--> statement-breakpoint
CREATE INDEX "subscriptions_provider_id_status_idx" ON "subscriptions" USING btree ("provider_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_stripe_subscription_id_idx" ON "subscriptions" USING btree ("stripe_subscription_id");--> statement-breakpoint
CREATE UNIQUE INDEX "subscriptions_live_pair_idx" ON "subscriptions" USING btree ("subscriber_id","provider_id") WHERE status in ('incomplete', 'trialing', 'active', 'past_due', 'paused');--> statement-breakpoint
CREATE INDEX "candles_symbol_open_time_idx" ON "candles" USING btree ("symbol","open_time");--> statement-breakpoint
CREATE UNIQUE INDEX "providers_webhook_token_hash_idx" ON "providers" USING btree ("webhook_token_hash");