CREATE TABLE "attempt_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"content_id" uuid NOT NULL,
	"extra_attempts" integer NOT NULL,
	"note" text,
	"granted_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "attempt_grants_extra_positive" CHECK ("attempt_grants"."extra_attempts" > 0)
);
--> statement-breakpoint
CREATE TABLE "student_accommodations" (
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"duration_multiplier" double precision NOT NULL,
	"note" text,
	"set_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "student_accommodations_tenant_id_user_id_pk" PRIMARY KEY("tenant_id","user_id"),
	CONSTRAINT "student_accommodations_multiplier_range" CHECK ("student_accommodations"."duration_multiplier" >= 1 and "student_accommodations"."duration_multiplier" <= 4)
);
--> statement-breakpoint
CREATE TABLE "verdict_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"session_id" uuid NOT NULL,
	"item_id" text NOT NULL,
	"action" text NOT NULL,
	"grader" text NOT NULL,
	"grader_verdict" text NOT NULL,
	"verdict" text NOT NULL,
	"note" text,
	"reviewed_by" text NOT NULL,
	"graded_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "verdict_reviews_action_valid" CHECK ("verdict_reviews"."action" in ('confirm', 'correct')),
	CONSTRAINT "verdict_reviews_grader_valid" CHECK ("verdict_reviews"."grader" in ('model', 'heuristic')),
	CONSTRAINT "verdict_reviews_grader_verdict_valid" CHECK ("verdict_reviews"."grader_verdict" in ('met', 'partially_met', 'not_met')),
	CONSTRAINT "verdict_reviews_verdict_valid" CHECK ("verdict_reviews"."verdict" in ('met', 'partially_met', 'not_met')),
	CONSTRAINT "verdict_reviews_confirm_agrees" CHECK ("verdict_reviews"."action" <> 'confirm' or "verdict_reviews"."verdict" = "verdict_reviews"."grader_verdict"),
	CONSTRAINT "verdict_reviews_correct_has_note" CHECK ("verdict_reviews"."action" <> 'correct' or "verdict_reviews"."note" is not null)
);
--> statement-breakpoint
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_end_reason_valid";--> statement-breakpoint
ALTER TABLE "grade_reports" ADD COLUMN "grader_score" double precision;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "ended_by" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "duration_multiplier" double precision DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "attempt_grants" ADD CONSTRAINT "attempt_grants_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attempt_grants" ADD CONSTRAINT "attempt_grants_case_study_fk" FOREIGN KEY ("tenant_id","content_id") REFERENCES "public"."case_studies"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "student_accommodations" ADD CONSTRAINT "student_accommodations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verdict_reviews" ADD CONSTRAINT "verdict_reviews_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verdict_reviews" ADD CONSTRAINT "verdict_reviews_session_fk" FOREIGN KEY ("tenant_id","session_id") REFERENCES "public"."sessions"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attempt_grants_student_idx" ON "attempt_grants" USING btree ("tenant_id","user_id","content_id");--> statement-breakpoint
CREATE INDEX "verdict_reviews_session_idx" ON "verdict_reviews" USING btree ("session_id","item_id","created_at");--> statement-breakpoint
CREATE INDEX "verdict_reviews_tenant_idx" ON "verdict_reviews" USING btree ("tenant_id","created_at");--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_ended_by_staff" CHECK (("sessions"."ended_by" is not null) = ("sessions"."end_reason" is not distinct from 'staff_ended'));--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_duration_multiplier_range" CHECK ("sessions"."duration_multiplier" >= 1 and "sessions"."duration_multiplier" <= 4);--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_end_reason_valid" CHECK ("sessions"."end_reason" is null or "sessions"."end_reason" in ('user_ended', 'timer_expired', 'conversation_ttl_exceeded', 'reconnect_exceeded', 'pending_timeout', 'staff_ended'));