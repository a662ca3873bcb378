// A batch of unfollows, $items [{i, follower_id, followee_id}], in one transaction.
UNWIND $items AS item
CALL (item) {
  OPTIONAL MATCH (:User {id: item.follower_id})-[r:FOLLOWS]->(:User {id: item.followee_id})
  DELETE r
  RETURN count(r) > 0 AS removed
}
RETURN item.i AS i, removed
