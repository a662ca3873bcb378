// Users who liked a tweet, most recent like first; the cursor is the last row's (like time, id).
MATCH (t:Tweet {id: $tweet_id})<-[r:LIKED]-(other:User)
WITH other, r.created_at.epochMillis AS ts
WHERE $before_ts IS NULL OR ts < $before_ts OR (ts = $before_ts AND other.id < $before_id)
RETURN other.id AS id, ts
ORDER BY ts DESC, id DESC
LIMIT $limit
