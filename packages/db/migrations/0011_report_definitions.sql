CREATE TABLE "report_definition_versions" (
	"definition_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"definition" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "report_definition_versions_definition_id_version_pk" PRIMARY KEY("definition_id","version")
);
--> statement-breakpoint
CREATE TABLE "report_definitions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner" text NOT NULL,
	"name" text NOT NULL,
	"latest_version" integer DEFAULT 1 NOT NULL,
	"published_version" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "definition_name" text;--> statement-breakpoint
ALTER TABLE "report_requests" ADD COLUMN "definition_version" integer;--> statement-breakpoint
ALTER TABLE "report_definition_versions" ADD CONSTRAINT "report_definition_versions_definition_id_report_definitions_id_fk" FOREIGN KEY ("definition_id") REFERENCES "public"."report_definitions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "report_definitions_owner_name_idx" ON "report_definitions" USING btree ("owner","name");--> statement-breakpoint
CREATE INDEX "report_requests_definition_idx" ON "report_requests" USING btree ("owner","definition_name","definition_version") WHERE "report_requests"."definition_name" is not null;