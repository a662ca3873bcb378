// Exact like counts with the version that orders their write-through to Redis.
UNWIND $ids AS tweet_id
MATCH (t:Tweet {id: tweet_id})
RETURN t.id AS id, coalesce(t.like_version, 0) AS version, COUNT { (t)<-[:LIKED]-() } AS like_count
