-- Session metadata and context, the pending timeout (its end reason and the room-opened time it runs from),
-- case studies' external ids, and the processed LiveKit webhook events.
CREATE TABLE "livekit_webhook_events" (
	"id" text PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"room_name" text,
	"session_id" uuid,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" DROP CONSTRAINT "sessions_end_reason_valid";--> statement-breakpoint
ALTER TABLE "case_studies" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "context" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "room_opened_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "case_studies_tenant_external_id_key" ON "case_studies" USING btree ("tenant_id","external_id");--> statement-breakpoint
CREATE INDEX "sessions_pending_idx" ON "sessions" USING btree ("room_opened_at") WHERE "sessions"."status" = 'pending';--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_end_reason_valid" CHECK ("sessions"."end_reason" is null or "sessions"."end_reason" in ('user_ended', 'timer_expired', 'conversation_ttl_exceeded', 'reconnect_exceeded', 'pending_timeout'));