CREATE TABLE "event_stream_frames" (
	"stream_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"event" text NOT NULL,
	"data" text NOT NULL,
	CONSTRAINT "event_stream_frames_stream_id_seq_pk" PRIMARY KEY("stream_id","seq")
);
--> statement-breakpoint
CREATE TABLE "event_streams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"endpoint" text NOT NULL,
	"session_id" uuid,
	"last_seq" integer NOT NULL,
	"finished" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "event_streams_endpoint_valid" CHECK ("event_streams"."endpoint" in ('chat', 'session_messages'))
);
--> statement-breakpoint
ALTER TABLE "event_stream_frames" ADD CONSTRAINT "event_stream_frames_stream_id_event_streams_id_fk" FOREIGN KEY ("stream_id") REFERENCES "public"."event_streams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "event_streams_created_idx" ON "event_streams" USING btree ("created_at");