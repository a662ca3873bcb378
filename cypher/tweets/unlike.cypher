MATCH (u:User {id: $user_id}), (t:Tweet {id: $tweet_id})
OPTIONAL MATCH (u)-[r:LIKED]->(t)
DELETE r
WITH t, count(r) AS removed
SET t.like_version = coalesce(t.like_version, 0) + 1
RETURN removed > 0 AS removed, COUNT { (t)<-[:LIKED]-() } AS like_count, t.like_version AS version
