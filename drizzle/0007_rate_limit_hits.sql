CREATE TABLE "rate_limit_hits" (
	"tenant_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"family" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"hits" integer NOT NULL,
	CONSTRAINT "rate_limit_hits_tenant_id_user_id_family_window_start_pk" PRIMARY KEY("tenant_id","user_id","family","window_start"),
	CONSTRAINT "rate_limit_hits_family" CHECK ("rate_limit_hits"."family" in ('session_start', 'text_turn', 'study_assistant')),
	CONSTRAINT "rate_limit_hits_positive" CHECK ("rate_limit_hits"."hits" > 0)
);
