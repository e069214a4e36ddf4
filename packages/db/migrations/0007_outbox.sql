ALTER TABLE "report_requests" ALTER COLUMN "enqueued_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "report_requests" ALTER COLUMN "enqueued_at" DROP NOT NULL;--> statement-breakpoint
CREATE INDEX "report_requests_unpublished_idx" ON "report_requests" USING btree ("created_at") WHERE "report_requests"."enqueued_at" is null and "report_requests"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "report_requests_in_flight_idx" ON "report_requests" USING btree ("enqueued_at") WHERE "report_requests"."status" in ('queued', 'processing');