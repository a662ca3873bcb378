// The users $user_id blocks, most recent first; the cursor is the last row's (block time, id).
MATCH (:User {id: $user_id})-[r:BLOCKS]->(other:User)
WITH other, r.created_at.epochMillis AS ts
WHERE $before_ts IS NULL OR ts < $before_ts OR (ts = $before_ts AND other.id < $before_id)
RETURN other.id AS id, ts
ORDER BY ts DESC, id DESC
LIMIT $limit
