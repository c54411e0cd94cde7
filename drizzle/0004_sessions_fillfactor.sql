-- The worker's heartbeat rewrites every live session's clock every few seconds without touching an indexed
-- column. Room left in each page lets Postgres keep those updates on the page (HOT): no index entries to add
-- and less WAL per heartbeat.
ALTER TABLE "sessions" SET (fillfactor = 80);
