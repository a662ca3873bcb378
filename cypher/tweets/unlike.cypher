// A batch of unlikes, $items [{i, user_id, tweet_id, events}], in one transaction; each item's
// like_count counts the items before it, and an item that removed a like records its `events`.
// An item whose user or tweet does not exist returns no row.
UNWIND $items AS item
CALL (item) {
  MATCH (u:User {id: item.user_id}), (t:Tweet {id: item.tweet_id})
  OPTIONAL MATCH (u)-[r:LIKED]->(t)
  DELETE r
  WITH t, count(r) AS removed
  SET t.like_version = coalesce(t.like_version, 0) + 1
  RETURN removed > 0 AS removed, COUNT { (t)<-[:LIKED]-() } AS like_count, t.like_version AS version
}
FOREACH (e IN CASE WHEN removed THEN item.events ELSE [] END | CREATE (event:Event:Unrelayed) SET event = e)
RETURN item.i AS i, removed, like_count, version
