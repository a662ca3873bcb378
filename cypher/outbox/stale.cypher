// Events older than $before_ms still waiting for the relay: their nudge was lost (a crash
// between commit and nudge, Redis down). The sweep relays them, oldest first.
MATCH (e:Unrelayed)
WHERE e.created_at < datetime({epochMillis: $before_ms})
RETURN e.id AS id, e.type AS type, e.payload AS payload, e.created_at.epochMillis AS at_ms
ORDER BY e.id
LIMIT $limit
