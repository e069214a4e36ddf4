-- trigram indexes for the dashboard's text search (a trusted extension: the database owner may create it)
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
DROP INDEX "report_requests_status_updated_at_idx";--> statement-breakpoint
DROP INDEX "report_requests_created_at_idx";--> statement-breakpoint
CREATE INDEX "report_requests_status_created_at_idx" ON "report_requests" USING btree ("status","created_at","request_id");--> statement-breakpoint
CREATE INDEX "report_requests_error_type_idx" ON "report_requests" USING btree ("error_type") WHERE "report_requests"."status" = 'error';--> statement-breakpoint
CREATE INDEX "report_requests_search_idx" ON "report_requests" USING gin (("owner" || ' ' || "title") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "report_requests_input_prefix_idx" ON "report_requests" USING btree (("input" ->> 'prefix')) WHERE "report_requests"."input" is not null;--> statement-breakpoint
CREATE INDEX "report_requests_status_updated_at_idx" ON "report_requests" USING btree ("status","updated_at","request_id");--> statement-breakpoint
CREATE INDEX "report_requests_created_at_idx" ON "report_requests" USING btree ("created_at","request_id");