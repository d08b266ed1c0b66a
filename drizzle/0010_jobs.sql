CREATE TYPE "public"."job_run_status" AS ENUM('queued', 'running', 'sleeping', 'retrying', 'completed', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."job_step_kind" AS ENUM('run', 'sleep', 'send_event', 'failed');--> statement-breakpoint
CREATE TABLE "job_events" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"data" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"job_id" text NOT NULL,
	"event" json NOT NULL,
	"event_id" text NOT NULL,
	"status" "job_run_status" DEFAULT 'queued' NOT NULL,
	"attempt" integer DEFAULT 0 NOT NULL,
	"wake_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"concurrency_key" text,
	"throttle_key" text,
	"debounce_key" text,
	"output" json,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "job_schedules" (
	"job_id" text NOT NULL,
	"cron" text NOT NULL,
	"last_tick" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_schedules_job_id_cron_pk" PRIMARY KEY("job_id","cron")
);
--> statement-breakpoint
CREATE TABLE "job_steps" (
	"run_id" text NOT NULL,
	"step_key" text NOT NULL,
	"kind" "job_step_kind" NOT NULL,
	"output" json,
	"wake_at" timestamp with time zone,
	"attempt" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "job_steps_run_id_step_key_pk" PRIMARY KEY("run_id","step_key")
);
--> statement-breakpoint
ALTER TABLE "job_steps" ADD CONSTRAINT "job_steps_run_id_job_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "job_events_received_at_idx" ON "job_events" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "job_runs_due_idx" ON "job_runs" USING btree ("wake_at") WHERE status in ('queued', 'sleeping', 'retrying');--> statement-breakpoint
CREATE INDEX "job_runs_lease_idx" ON "job_runs" USING btree ("lease_until") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "job_runs_job_created_idx" ON "job_runs" USING btree ("job_id","created_at");--> statement-breakpoint
CREATE INDEX "job_runs_status_finished_idx" ON "job_runs" USING btree ("status","finished_at");--> statement-breakpoint
CREATE INDEX "job_runs_concurrency_idx" ON "job_runs" USING btree ("job_id","concurrency_key") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "job_runs_throttle_idx" ON "job_runs" USING btree ("job_id","throttle_key","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_debounce_idx" ON "job_runs" USING btree ("job_id","debounce_key") WHERE status = 'queued' and debounce_key is not null;