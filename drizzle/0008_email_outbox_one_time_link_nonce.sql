-- Emails queued before this migration have placeholders without a nonce. Nothing takes those for a link any more:
-- they stay as written (a reserved .invalid address that leads nowhere), and the person asks for a new email.
ALTER TABLE "email_outbox" ADD COLUMN "one_time_link_nonce" text;
