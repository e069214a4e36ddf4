ALTER TYPE "public"."report_status" ADD VALUE 'expired';--> statement-breakpoint
CREATE TABLE "job_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "report_requests_owner_created_at_idx";--> statement-breakpoint
ALTER TABLE "report_requests" ALTER COLUMN "enqueued_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "report_requests" ALTER COLUMN "enqueued_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "expired_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "report_requests_unpublished_idx" ON "report_requests" USING btree ("created_at") WHERE "report_requests"."enqueued_at" is null and "report_requests"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "report_requests_in_flight_idx" ON "report_requests" USING btree ("enqueued_at") WHERE "report_requests"."status" in ('queued', 'processing');