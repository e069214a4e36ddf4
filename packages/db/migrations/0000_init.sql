CREATE TYPE "public"."report_error_type" AS ENUM('INVALID_SPEC', 'RENDER_FAILED', 'RENDER_TIMEOUT', 'STORAGE_FAILED', 'TOO_LARGE', 'INTERNAL');--> statement-breakpoint
CREATE TYPE "public"."report_format" AS ENUM('xlsx', 'pdf');--> statement-breakpoint
CREATE TYPE "public"."report_status" AS ENUM('queued', 'processing', 'done', 'error');--> statement-breakpoint
CREATE TABLE "report_requests" (
	"request_id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" "report_status" DEFAULT 'queued' NOT NULL,
	"format" "report_format" NOT NULL,
	"title" text NOT NULL,
	"file_name" text NOT NULL,
	"row_count" integer NOT NULL,
	"spec" jsonb NOT NULL,
	"file_key" text,
	"error_type" "report_error_type",
	"error_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claim_token" uuid,
	"lease_expires_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_requests_status_updated_at_idx" ON "report_requests" USING btree ("status","updated_at");