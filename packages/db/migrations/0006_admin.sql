CREATE TABLE "report_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" uuid NOT NULL,
	"status" "report_status" NOT NULL,
	"attempt" integer NOT NULL,
	"error_type" "report_error_type",
	"error_message" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worker_heartbeats" (
	"id" text PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"pid" integer NOT NULL,
	"concurrency" integer NOT NULL,
	"in_flight" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "admin" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "first_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "report_events" ADD CONSTRAINT "report_events_request_id_report_requests_request_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."report_requests"("request_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "report_events_request_id_idx" ON "report_events" USING btree ("request_id","id");--> statement-breakpoint
CREATE INDEX "report_requests_created_at_idx" ON "report_requests" USING btree ("created_at");--> statement-breakpoint
-- Every transition lands in report_events, whichever code made it: a trigger, not a convention.
CREATE FUNCTION "report_requests_record_event"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status OR NEW.attempts IS DISTINCT FROM OLD.attempts THEN
    INSERT INTO "report_events" ("request_id", "status", "attempt", "error_type", "error_message")
    VALUES (
      NEW.request_id,
      NEW.status,
      NEW.attempts,
      -- a request given back for a retry keeps the failure of its attempt as last_error_*
      CASE WHEN TG_OP = 'UPDATE' AND OLD.status = 'processing' AND NEW.status = 'queued' THEN NEW.last_error_type ELSE NEW.error_type END,
      CASE WHEN TG_OP = 'UPDATE' AND OLD.status = 'processing' AND NEW.status = 'queued' THEN NEW.last_error_message ELSE NEW.error_message END
    );
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "report_requests_events" AFTER INSERT OR UPDATE OF "status", "attempts" ON "report_requests"
  FOR EACH ROW EXECUTE FUNCTION "report_requests_record_event"();--> statement-breakpoint
-- requests made before this migration start their history with the state they are in
INSERT INTO "report_events" ("request_id", "status", "attempt", "error_type", "error_message", "at")
  SELECT "request_id", "status", "attempts", "error_type", "error_message", "updated_at" FROM "report_requests";
