// A cold home feed rebuilt from the truth: the newest $limit tweets of the viewer and of the
// people they follow, except celebrities (their tweets are merged at read time), plus the
// celebrities they follow.
MATCH (me:User {id: $viewer_id})
CALL (me) {
  MATCH (me)-[:POSTED]->(t:Tweet)
  RETURN t.id AS id ORDER BY id DESC LIMIT $limit
  UNION
  MATCH (me)-[:FOLLOWS]->(a:User)
  WHERE NOT a.id IN $celebrity_ids
  CALL (a) {
    MATCH (a)-[:POSTED]->(t:Tweet)
    RETURN t.id AS id ORDER BY id DESC LIMIT $limit
  }
  RETURN id
}
WITH id ORDER BY id DESC LIMIT $limit
WITH collect(id) AS ids
MATCH (me:User {id: $viewer_id})
OPTIONAL MATCH (me)-[:FOLLOWS]->(c:User) WHERE c.id IN $celebrity_ids
RETURN ids, collect(c.id) AS celebrities
