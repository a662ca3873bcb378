// A batch of follows, $items [{i, follower_id, followee_id, now_ms, events}], in one transaction.
// Idempotent: MERGE locks both users, so parallel follows leave one relationship, and only the item
// that created it sees ON CREATE (so only it records its `events`, the follow's). An item naming a
// user that does not exist returns no row.
UNWIND $items AS item
CALL (item) {
  MATCH (a:User {id: item.follower_id}), (b:User {id: item.followee_id})
  MERGE (a)-[r:FOLLOWS]->(b)
    ON CREATE SET r.created_at = datetime({epochMillis: item.now_ms}), r.just_created = true
  WITH r, r.just_created IS NOT NULL AS created
  REMOVE r.just_created
  RETURN created
}
FOREACH (e IN CASE WHEN created THEN item.events ELSE [] END | CREATE (event:Event:Unrelayed) SET event = e)
RETURN item.i AS i, created
