CREATE TYPE "public"."channel_delivery_status" AS ENUM('queued', 'sent', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."channel_kind" AS ENUM('discord', 'telegram', 'webhook');--> statement-breakpoint
CREATE TYPE "public"."channel_purpose" AS ENUM('alerts', 'community');--> statement-breakpoint
CREATE TYPE "public"."channel_status" AS ENUM('pending', 'active', 'disabled');--> statement-breakpoint
CREATE TABLE "channel_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"channel_id" text NOT NULL,
	"user_id" text NOT NULL,
	"event" text NOT NULL,
	"event_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"dedupe_key" text,
	"status" "channel_delivery_status" DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"response_status" integer,
	"response_body" text,
	"redelivery_of" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "channel_delivery_attempts" (
	"delivery_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"response_status" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	CONSTRAINT "channel_delivery_attempts_delivery_id_attempt_pk" PRIMARY KEY("delivery_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "channel_provider_prefs" (
	"channel_id" text NOT NULL,
	"provider_id" text NOT NULL,
	"new_signal" boolean DEFAULT true NOT NULL,
	"signal_closed" boolean DEFAULT true NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_provider_prefs_channel_id_provider_id_pk" PRIMARY KEY("channel_id","provider_id")
);
--> statement-breakpoint
CREATE TABLE "notification_channels" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"kind" "channel_kind" NOT NULL,
	"purpose" "channel_purpose" DEFAULT 'alerts' NOT NULL,
	"label" text NOT NULL,
	"status" "channel_status" DEFAULT 'active' NOT NULL,
	"url_enc" text,
	"url_hint" text,
	"secret_enc" text,
	"telegram_chat_id" text,
	"telegram_chat_name" text,
	"link_code_hash" text,
	"link_code_expires_at" timestamp with time zone,
	"events" text[] DEFAULT '{}'::text[] NOT NULL,
	"include_levels" boolean DEFAULT false NOT NULL,
	"failing_since" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"disabled_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "telegram_updates" (
	"update_id" bigint PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "channel_deliveries" ADD CONSTRAINT "channel_deliveries_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_deliveries" ADD CONSTRAINT "channel_deliveries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_delivery_attempts" ADD CONSTRAINT "channel_delivery_attempts_delivery_id_channel_deliveries_id_fk" FOREIGN KEY ("delivery_id") REFERENCES "public"."channel_deliveries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_provider_prefs" ADD CONSTRAINT "channel_provider_prefs_channel_id_notification_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."notification_channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_provider_prefs" ADD CONSTRAINT "channel_provider_prefs_provider_id_providers_id_fk" FOREIGN KEY ("provider_id") REFERENCES "public"."providers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_channels" ADD CONSTRAINT "notification_channels_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "channel_deliveries_dedupe_key_idx" ON "channel_deliveries" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "channel_deliveries_channel_id_idx" ON "channel_deliveries" USING btree ("channel_id","created_at");--> statement-breakpoint
CREATE INDEX "channel_deliveries_user_id_idx" ON "channel_deliveries" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "channel_deliveries_queued_idx" ON "channel_deliveries" USING btree ("next_attempt_at") WHERE "channel_deliveries"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "channel_provider_prefs_provider_id_idx" ON "channel_provider_prefs" USING btree ("provider_id");--> statement-breakpoint
CREATE INDEX "notification_channels_user_id_idx" ON "notification_channels" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_channels_link_code_idx" ON "notification_channels" USING btree ("link_code_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_channels_user_chat_idx" ON "notification_channels" USING btree ("user_id","telegram_chat_id");