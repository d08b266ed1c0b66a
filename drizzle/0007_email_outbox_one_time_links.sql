ALTER TABLE "email_outbox" ADD COLUMN "one_time_links_enc" text;--> statement-breakpoint
-- Emails queued before this migration hold their one-time links (verification, reset) in plain text. They cannot be
-- sealed after the fact here, so they become the placeholder of a removed link: the person asks for a new email.
UPDATE "email_outbox"
SET "html" = regexp_replace("html", 'https?://[^[:space:]"''<>]*/(verify|reset)\?token=[A-Za-z0-9_%-]+', 'https://one-time-link.invalid/0', 'g'),
  "text" = regexp_replace("text", 'https?://[^[:space:]"''<>]*/(verify|reset)\?token=[A-Za-z0-9_%-]+', 'https://one-time-link.invalid/0', 'g')
WHERE "kind" IN ('verify_email', 'reset_password');
