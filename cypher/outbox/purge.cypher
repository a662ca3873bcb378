// Relayed events are kept a day for inspection, then deleted in batches.
MATCH (e:Event)
WHERE e.relayed_at < datetime({epochMillis: $before_ms})
WITH e LIMIT $limit
DELETE e
RETURN count(*) AS purged
