// A batch of likes, $items [{i, user_id, tweet_id, now_ms, events}], in one transaction (group
// commit, graph/group_commit.py): each item sees the writes of those before it, so its like_count is
// exact. Idempotent. MERGE locks user and tweet, so parallel likes by one user leave one
// relationship, and only the item that created it sees ON CREATE (so only it records its `events`,
// the like's, as the outbox's nodes: cypher/outbox/record.cypher); like_version, bumped under the
// tweet's lock, orders the counter's write-through to Redis. An item whose user or
// tweet does not exist returns no row.
UNWIND $items AS item
CALL (item) {
  MATCH (u:User {id: item.user_id}), (t:Tweet {id: item.tweet_id})
  MERGE (u)-[r:LIKED]->(t)
    ON CREATE SET r.created_at = datetime({epochMillis: item.now_ms}), r.just_created = true
  SET t.like_version = coalesce(t.like_version, 0) + 1
  WITH t, r, r.just_created IS NOT NULL AS created
  REMOVE r.just_created
  RETURN created, COUNT { (t)<-[:LIKED]-() } AS like_count, t.like_version AS version
}
FOREACH (e IN CASE WHEN created THEN item.events ELSE [] END | CREATE (event:Event:Unrelayed) SET event = e)
RETURN item.i AS i, created, like_count, version
