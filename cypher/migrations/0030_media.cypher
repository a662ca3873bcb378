// Media uploads (docs/media.md): one node per upload, found by id, and the purge job's scan of
// unfinished ones by their expiry.
CREATE CONSTRAINT media_id IF NOT EXISTS FOR (m:Media) REQUIRE m.id IS UNIQUE;
CREATE INDEX media_expires_at IF NOT EXISTS FOR (m:Media) ON (m.expires_at);
