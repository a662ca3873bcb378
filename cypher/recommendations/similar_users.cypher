// Users who follow the same accounts as $user_id: the Jaccard index of the two follow sets,
// |both follow| / |either follows|, for everyone sharing at least one followee (suspended
// accounts left out). following says whether $user_id already follows them.
// In Neo4j Browser: :params {user_id: 1, limit: 10}
MATCH (me:User {id: $user_id})
WITH me, COUNT { (me)-[:FOLLOWS]->() } AS mine
MATCH (me)-[:FOLLOWS]->(:User)<-[:FOLLOWS]-(other:User)
WHERE other <> me AND NOT coalesce(other.suspended, false)
WITH me, mine, other, count(*) AS shared
WITH me, other, shared, toFloat(shared) / (mine + COUNT { (other)-[:FOLLOWS]->() } - shared) AS jaccard
RETURN other.id AS id, other.username AS username, shared, jaccard,
       EXISTS { (me)-[:FOLLOWS]->(other) } AS following
ORDER BY jaccard DESC, shared DESC, id
LIMIT $limit
