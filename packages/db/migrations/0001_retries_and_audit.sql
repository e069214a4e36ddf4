ALTER TABLE "report_requests" ADD COLUMN "last_error_type" "report_error_type";--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "last_error_message" text;--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "completions" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "enqueued_at" timestamp with time zone DEFAULT now() NOT NULL;