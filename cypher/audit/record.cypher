// One audit entry, written in the transaction of the admin action it describes.
CREATE (e:AuditEntry {
  id: $id, action: $action, actor: $actor, target: $target, details: $details,
  created_at: datetime({epochMillis: $at_ms})
})
WITH e
CALL (e) {
  MATCH (a:User {id: $actor_id})
  CREATE (a)-[:PERFORMED]->(e)
}
CALL (e) {
  MATCH (t:User {id: $target_user_id})
  CREATE (e)-[:CONCERNS]->(t)
}
CALL (e) {
  MATCH (g:Group {name: $target_group})
  CREATE (e)-[:CONCERNS]->(g)
}
RETURN e.id AS id
