// An author's newest feed entries: the tweets they posted and the boosts they gave (as feed
// members, "boost id:tweet id:booster id"). Merged into feeds on follow, taken out on unfollow,
// and read-time merged for celebrities.
MATCH (a:User {id: $author_id})
CALL (a) {
  MATCH (a)-[:POSTED]->(t:Tweet)
  RETURN t.id AS entry_id, toString(t.id) AS member ORDER BY entry_id DESC LIMIT $limit
  UNION
  MATCH (a)-[b:BOOSTED]->(t:Tweet)
  RETURN b.id AS entry_id, toString(b.id) + ':' + toString(t.id) + ':' + toString(a.id) AS member
  ORDER BY entry_id DESC LIMIT $limit
}
RETURN member
ORDER BY entry_id DESC
LIMIT $limit
