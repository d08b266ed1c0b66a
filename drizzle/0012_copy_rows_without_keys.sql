ALTER TABLE "copy_orders" DROP CONSTRAINT "copy_orders_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "copy_orders" DROP CONSTRAINT "copy_orders_provider_id_providers_id_fk";
--> statement-breakpoint
ALTER TABLE "positions" DROP CONSTRAINT "positions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "positions" DROP CONSTRAINT "positions_provider_id_providers_id_fk";
--> statement-breakpoint
-- The cascades the dropped keys did, once per DELETE statement. Positions first: a delete waits there for a fan-out
-- page holding them, and the orders' delete that follows takes its snapshot after that page committed.
CREATE FUNCTION "copy_rows_cascade_users"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "positions" WHERE "user_id" IN (SELECT "id" FROM gone);
  DELETE FROM "copy_orders" WHERE "user_id" IN (SELECT "id" FROM gone);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "copy_rows_cascade" AFTER DELETE ON "users" REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "copy_rows_cascade_users"();
--> statement-breakpoint
CREATE FUNCTION "copy_rows_cascade_providers"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "positions" WHERE "provider_id" IN (SELECT "id" FROM gone);
  DELETE FROM "copy_orders" WHERE "provider_id" IN (SELECT "id" FROM gone);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "copy_rows_cascade" AFTER DELETE ON "providers" REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "copy_rows_cascade_providers"();
