// Idempotent; returns the removed boost's id, so that its feed entries can be taken back.
MATCH (u:User {id: $user_id}), (author:User)-[:POSTED]->(t:Tweet {id: $tweet_id})
OPTIONAL MATCH (u)-[r:BOOSTED]->(t)
WITH t, author, r, r.id AS boost_id
DELETE r
SET t.boost_version = coalesce(t.boost_version, 0) + 1
RETURN boost_id IS NOT NULL AS removed, boost_id, author.id AS author_id,
       COUNT { (t)<-[:BOOSTED]-() } AS boost_count, t.boost_version AS version
