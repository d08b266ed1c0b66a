CREATE TYPE "public"."copy_leg" AS ENUM('entry', 'tp', 'stop', 'close', 'manual');--> statement-breakpoint
CREATE TYPE "public"."copy_order_status" AS ENUM('planned', 'skipped', 'submitted', 'filled', 'rejected', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."copy_fanout_status" AS ENUM('pending', 'done');--> statement-breakpoint
CREATE TYPE "public"."order_side" AS ENUM('buy', 'sell');--> statement-breakpoint
CREATE TYPE "public"."position_status" AS ENUM('open', 'closed');--> statement-breakpoint
CREATE TYPE "public"."copy_sizing_mode" AS ENUM('fixed', 'allocation', 'risk', 'mirror');--> statement-breakpoint
CREATE TABLE "copy_fanouts" (
	"id" text PRIMARY KEY NOT NULL,
	"signal_event_id" text NOT NULL,
	"signal_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"seq" integer NOT NULL,
	"kind" "signal_event_kind" NOT NULL,
	"at" text NOT NULL,
	"data" jsonb NOT NULL,
	"status" "copy_fanout_status" DEFAULT 'pending' NOT NULL,
	"redrives" integer DEFAULT 0 NOT NULL,
	"followers" integer DEFAULT 0 NOT NULL,
	"orders" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "copy_kill_switches" (
	"scope" text NOT NULL,
	"target_id" text DEFAULT '' NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"actor_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "copy_orders" (
	"id" text PRIMARY KEY NOT NULL,
	"client_order_id" text NOT NULL,
	"user_id" text NOT NULL,
	"copy_setting_id" text,
	"provider_id" text NOT NULL,
	"signal_id" text,
	"signal_event_id" text,
	"seq" integer,
	"position_id" text,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"side" "order_side" NOT NULL,
	"leg" "copy_leg" NOT NULL,
	"order_type" text DEFAULT 'market' NOT NULL,
	"status" "copy_order_status" NOT NULL,
	"reason" text,
	"requested_price" numeric,
	"limit_price" numeric,
	"fill_price" numeric,
	"quantity" numeric NOT NULL,
	"share" numeric,
	"fee" numeric DEFAULT '0' NOT NULL,
	"slippage_bps" numeric,
	"latency_ms" bigint,
	"venue_order_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"filled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "copy_settings" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"subscription_id" text,
	"enabled" boolean DEFAULT false NOT NULL,
	"venue" text DEFAULT 'paper' NOT NULL,
	"allocation_pct" numeric DEFAULT '0.1' NOT NULL,
	"allocated_amount" numeric,
	"sizing_mode" "copy_sizing_mode" DEFAULT 'allocation' NOT NULL,
	"fixed_amount" numeric DEFAULT '100' NOT NULL,
	"allocation_share" numeric DEFAULT '0.2' NOT NULL,
	"risk_pct" numeric DEFAULT '0.01' NOT NULL,
	"scale" numeric DEFAULT '1' NOT NULL,
	"max_position_pct" numeric DEFAULT '0.1' NOT NULL,
	"max_open_positions" integer DEFAULT 5 NOT NULL,
	"daily_loss_pct" numeric DEFAULT '0.05',
	"copy_stop_pct" numeric,
	"max_slippage_pct" numeric DEFAULT '0.005' NOT NULL,
	"max_signal_age_sec" integer DEFAULT 120 NOT NULL,
	"symbols_allow" text[] DEFAULT '{}' NOT NULL,
	"symbols_deny" text[] DEFAULT '{}' NOT NULL,
	"copy_open_signals" boolean DEFAULT false NOT NULL,
	"paused_reason" text,
	"paused_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paper_account_resets" (
	"id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"balance_before" numeric NOT NULL,
	"equity_before" numeric NOT NULL,
	"balance_after" numeric NOT NULL,
	"positions_closed" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "paper_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"currency" text DEFAULT 'USDT' NOT NULL,
	"starting_balance" numeric DEFAULT '10000' NOT NULL,
	"balance" numeric DEFAULT '10000' NOT NULL,
	"day" text,
	"day_start_equity" numeric,
	"resets" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "paper_accounts_user_id_idx" UNIQUE("user_id")
);
--> statement-breakpoint
CREATE TABLE "positions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"copy_setting_id" text,
	"provider_id" text NOT NULL,
	"signal_id" text,
	"venue" text NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"quantity" numeric NOT NULL,
	"initial_quantity" numeric NOT NULL,
	"avg_entry" numeric NOT NULL,
	"avg_exit" numeric,
	"realized_pnl" numeric DEFAULT '0' NOT NULL,
	"fees" numeric DEFAULT '0' NOT NULL,
	"mark_price" numeric NOT NULL,
	"stop_loss" numeric,
	"status" "position_status" DEFAULT 'open' NOT NULL,
	"last_seq" integer NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "copy_fanouts" ADD CONSTRAINT "copy_fanouts_signal_id_signals_id_fk" FOREIGN KEY ("signal_id") REFERENCES "public"."signals"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_fanouts" ADD CONSTRAINT "copy_fanouts_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_kill_switches" ADD CONSTRAINT "copy_kill_switches_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_orders" ADD CONSTRAINT "copy_orders_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_orders" ADD CONSTRAINT "copy_orders_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_settings" ADD CONSTRAINT "copy_settings_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_settings" ADD CONSTRAINT "copy_settings_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "copy_settings" ADD CONSTRAINT "copy_settings_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_account_resets" ADD CONSTRAINT "paper_account_resets_account_id_paper_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."paper_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "paper_accounts" ADD CONSTRAINT "paper_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "positions" ADD CONSTRAINT "positions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "positions" ADD CONSTRAINT "positions_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "copy_fanouts_signal_event_id_idx" ON "copy_fanouts" USING btree ("signal_event_id");--> statement-breakpoint
CREATE INDEX "copy_fanouts_signal_id_seq_idx" ON "copy_fanouts" USING btree ("signal_id","seq");--> statement-breakpoint
CREATE INDEX "copy_fanouts_provider_id_idx" ON "copy_fanouts" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "copy_fanouts_pending_idx" ON "copy_fanouts" USING btree ("created_at") WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "copy_kill_switches_scope_target_idx" ON "copy_kill_switches" USING btree ("scope","target_id");--> statement-breakpoint
CREATE INDEX "copy_kill_switches_actor_id_idx" ON "copy_kill_switches" USING btree ("actor_id");--> statement-breakpoint
CREATE UNIQUE INDEX "copy_orders_client_order_id_idx" ON "copy_orders" USING btree ("client_order_id");--> statement-breakpoint
CREATE INDEX "copy_orders_user_id_created_at_idx" ON "copy_orders" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "copy_orders_provider_id_leg_idx" ON "copy_orders" USING btree ("provider_id","leg");--> statement-breakpoint
CREATE INDEX "copy_orders_signal_id_idx" ON "copy_orders" USING btree ("signal_id");--> statement-breakpoint
CREATE INDEX "copy_orders_position_id_idx" ON "copy_orders" USING btree ("position_id");--> statement-breakpoint
CREATE INDEX "copy_orders_planned_idx" ON "copy_orders" USING btree ("venue","created_at") WHERE status = 'planned';--> statement-breakpoint
CREATE UNIQUE INDEX "copy_settings_user_id_provider_id_idx" ON "copy_settings" USING btree ("user_id","provider_id");--> statement-breakpoint
CREATE INDEX "copy_settings_provider_id_enabled_id_idx" ON "copy_settings" USING btree ("provider_id","id") WHERE enabled;--> statement-breakpoint
CREATE INDEX "copy_settings_subscription_id_idx" ON "copy_settings" USING btree ("subscription_id");--> statement-breakpoint
CREATE INDEX "paper_account_resets_account_id_idx" ON "paper_account_resets" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "positions_user_id_signal_id_idx" ON "positions" USING btree ("user_id","signal_id");--> statement-breakpoint
CREATE INDEX "positions_user_id_status_idx" ON "positions" USING btree ("user_id","status");--> statement-breakpoint
CREATE INDEX "positions_signal_id_open_idx" ON "positions" USING btree ("signal_id") WHERE status = 'open';--> statement-breakpoint
CREATE INDEX "positions_provider_id_idx" ON "positions" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "positions_copy_setting_id_opened_at_idx" ON "positions" USING btree ("copy_setting_id","opened_at");