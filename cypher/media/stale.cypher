// Uploads that never became ready within their day (unfinished, stuck or failed).
MATCH (m:Media)
WHERE m.expires_at < datetime({epochMillis: $now_ms}) AND m.state <> 'ready'
RETURN m.id AS id
LIMIT $limit
