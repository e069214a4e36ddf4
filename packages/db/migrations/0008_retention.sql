ALTER TYPE "public"."report_status" ADD VALUE 'expired';--> statement-breakpoint
CREATE TABLE "job_leases" (
	"name" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "expired_at" timestamp with time zone;