CREATE TABLE "case_studies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"persona" jsonb NOT NULL,
	"facts" jsonb NOT NULL,
	"instructions" text DEFAULT '' NOT NULL,
	"rubric" jsonb NOT NULL,
	"duration_limit" integer DEFAULT 600 NOT NULL,
	"max_attempts" integer DEFAULT 3 NOT NULL,
	"published" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "case_studies_duration_limit_positive" CHECK ("case_studies"."duration_limit" > 0),
	CONSTRAINT "case_studies_max_attempts_positive" CHECK ("case_studies"."max_attempts" > 0)
);
--> statement-breakpoint
CREATE TABLE "grade_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"grader" text,
	"model" text,
	"score" double precision,
	"items" jsonb,
	"strengths" jsonb,
	"improvements" jsonb,
	"narrative" text,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone,
	CONSTRAINT "grade_reports_session_id_unique" UNIQUE("session_id"),
	CONSTRAINT "grade_reports_score_range" CHECK ("grade_reports"."score" is null or ("grade_reports"."score" >= 0 and "grade_reports"."score" <= 100))
);
--> statement-breakpoint
CREATE TABLE "session_messages" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"role" text NOT NULL,
	"content" text NOT NULL,
	"channel" text DEFAULT 'voice' NOT NULL,
	"interrupted" boolean DEFAULT false NOT NULL,
	"metrics" jsonb,
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "session_messages_sequence_positive" CHECK ("session_messages"."sequence" >= 1)
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"content_type_id" text DEFAULT 'case_study' NOT NULL,
	"content_id" uuid NOT NULL,
	"conversation_id" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"is_active" boolean DEFAULT true NOT NULL,
	"start_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"last_activity" timestamp with time zone,
	"elapsed_active_time" double precision DEFAULT 0 NOT NULL,
	"connected_since" timestamp with time zone,
	"segment_base" double precision DEFAULT 0 NOT NULL,
	"last_disconnect_at" timestamp with time zone,
	"reconnect_count" integer DEFAULT 0 NOT NULL,
	"end_reason" text,
	"duration_limit" integer DEFAULT 600 NOT NULL,
	"room_name" text NOT NULL,
	"attempt_number" integer NOT NULL,
	"channel" text DEFAULT 'voice' NOT NULL,
	"patient_engine" text,
	"grading_status" text DEFAULT 'not_started' NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_status_valid" CHECK ("sessions"."status" in ('pending', 'active', 'ended')),
	CONSTRAINT "sessions_end_reason_valid" CHECK ("sessions"."end_reason" is null or "sessions"."end_reason" in ('user_ended', 'timer_expired', 'conversation_ttl_exceeded', 'reconnect_exceeded')),
	CONSTRAINT "sessions_ended_has_reason" CHECK (("sessions"."status" = 'ended') = ("sessions"."end_reason" is not null)),
	CONSTRAINT "sessions_elapsed_nonnegative" CHECK ("sessions"."elapsed_active_time" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"role" text NOT NULL,
	"name" text,
	"email" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_studies" ADD CONSTRAINT "case_studies_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_reports" ADD CONSTRAINT "grade_reports_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "grade_reports" ADD CONSTRAINT "grade_reports_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "session_messages" ADD CONSTRAINT "session_messages_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_content_id_case_studies_id_fk" FOREIGN KEY ("content_id") REFERENCES "public"."case_studies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "case_studies_tenant_slug_key" ON "case_studies" USING btree ("tenant_id","slug");--> statement-breakpoint
CREATE INDEX "grade_reports_tenant_idx" ON "grade_reports" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "session_messages_session_sequence_key" ON "session_messages" USING btree ("session_id","sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_one_active_per_user_case" ON "sessions" USING btree ("tenant_id","user_id","content_id") WHERE "sessions"."status" <> 'ended';--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_attempt_key" ON "sessions" USING btree ("tenant_id","user_id","content_id","attempt_number");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_room_name_key" ON "sessions" USING btree ("room_name");--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("tenant_id","user_id","created_at");--> statement-breakpoint
CREATE INDEX "users_tenant_idx" ON "users" USING btree ("tenant_id");