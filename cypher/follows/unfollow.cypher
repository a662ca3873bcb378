// A batch of unfollows, $items [{i, follower_id, followee_id, events}], in one transaction;
// an item that removed a follow records its `events`.
UNWIND $items AS item
CALL (item) {
  OPTIONAL MATCH (:User {id: item.follower_id})-[r:FOLLOWS]->(:User {id: item.followee_id})
  DELETE r
  RETURN count(r) > 0 AS removed
}
FOREACH (e IN CASE WHEN removed THEN item.events ELSE [] END | CREATE (event:Event:Unrelayed) SET event = e)
RETURN item.i AS i, removed
