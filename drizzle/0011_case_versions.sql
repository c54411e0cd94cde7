CREATE TABLE "case_study_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"case_study_id" uuid NOT NULL,
	"number" integer,
	"content" jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_study_versions_case_id_key" UNIQUE("tenant_id","case_study_id","id"),
	CONSTRAINT "case_study_versions_number_positive" CHECK ("case_study_versions"."number" is null or "case_study_versions"."number" >= 1)
);
--> statement-breakpoint
DROP INDEX "sessions_attempt_key";--> statement-breakpoint
ALTER TABLE "case_studies" ADD COLUMN "draft" jsonb;--> statement-breakpoint
ALTER TABLE "case_studies" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "case_study_version_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "preview" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "case_study_versions" ADD CONSTRAINT "case_study_versions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_study_versions" ADD CONSTRAINT "case_study_versions_case_fk" FOREIGN KEY ("tenant_id","case_study_id") REFERENCES "public"."case_studies"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_study_versions_number_key" ON "case_study_versions" USING btree ("case_study_id","number");--> statement-breakpoint
-- Backfill: what each published case (or case with sessions) says now becomes its version 1, and every
-- existing session pins it.
INSERT INTO "case_study_versions" ("tenant_id", "case_study_id", "number", "content", "created_at")
SELECT c."tenant_id", c."id", 1, jsonb_build_object(
    'slug', c."slug", 'title', c."title", 'description', c."description", 'persona', c."persona",
    'facts', c."facts", 'instructions', c."instructions", 'rubric', c."rubric",
    'durationLimit', c."duration_limit", 'maxAttempts', c."max_attempts"), c."updated_at"
FROM "case_studies" c
WHERE c."published" OR EXISTS (SELECT 1 FROM "sessions" s WHERE s."content_id" = c."id");--> statement-breakpoint
UPDATE "sessions" s SET "case_study_version_id" = v."id"
FROM "case_study_versions" v WHERE v."case_study_id" = s."content_id" AND v."number" = 1;--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "case_study_version_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_case_version_fk" FOREIGN KEY ("tenant_id","content_id","case_study_version_id") REFERENCES "public"."case_study_versions"("tenant_id","case_study_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_attempt_key" ON "sessions" USING btree ("tenant_id","user_id","content_id","attempt_number") WHERE not "sessions"."preview";--> statement-breakpoint
ALTER TABLE "case_studies" ADD CONSTRAINT "case_studies_archived_unpublished" CHECK ("case_studies"."archived_at" is null or not "case_studies"."published");