// The home feed straight from the graph: the viewer's own tweets and those of everyone they follow.
MATCH (me:User {id: $viewer_id})
CALL (me) {
  MATCH (me)-[:POSTED]->(t:Tweet)
  WHERE $before_id IS NULL OR t.id < $before_id
  RETURN t
  UNION
  MATCH (me)-[:FOLLOWS]->(:User)-[:POSTED]->(t:Tweet)
  WHERE $before_id IS NULL OR t.id < $before_id
  RETURN t
}
RETURN t.id AS id
ORDER BY id DESC
LIMIT $limit
