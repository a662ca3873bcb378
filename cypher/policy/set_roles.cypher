// Makes the user's direct roles exactly $roles (names of existing roles; `user` is never an edge).
MATCH (u:User {id: $user_id})
CALL (u) {
  MATCH (u)-[old:HAS_ROLE]->(r:Role)
  WHERE NOT r.name IN $roles
  DELETE old
}
CALL (u) {
  UNWIND $roles AS name
  MATCH (r:Role {name: name})
  MERGE (u)-[:HAS_ROLE]->(r)
}
RETURN u.id AS id
