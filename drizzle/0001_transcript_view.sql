-- One row per transcript turn with its session, student and case study, for admins querying from psql.
CREATE VIEW "session_transcripts" AS
SELECT
	s.tenant_id,
	t.slug AS tenant_slug,
	s.id AS session_id,
	s.user_id,
	u.name AS user_name,
	cs.id AS case_study_id,
	cs.title AS case_study_title,
	s.status AS session_status,
	s.end_reason,
	s.attempt_number,
	s.created_at AS session_created_at,
	m.sequence,
	m.role,
	m.content,
	m.channel,
	m.interrupted,
	m.timestamp
FROM sessions s
JOIN tenants t ON t.id = s.tenant_id
JOIN case_studies cs ON cs.id = s.content_id
LEFT JOIN users u ON u.id = s.user_id
JOIN session_messages m ON m.session_id = s.id;
