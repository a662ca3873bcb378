// Users a user follows, most recent follow first; the cursor is the last row's (follow time, id).
MATCH (u:User {id: $user_id})-[r:FOLLOWS]->(other:User)
WITH other, r.created_at.epochMillis AS ts
WHERE $before_ts IS NULL OR ts < $before_ts OR (ts = $before_ts AND other.id < $before_id)
RETURN other.id AS id, ts
ORDER BY ts DESC, id DESC
LIMIT $limit
