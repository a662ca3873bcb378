// Creates the group if needed and makes its roles exactly $roles.
MERGE (g:Group {name: $name})
ON CREATE SET g.created_at = datetime({epochMillis: $now_ms})
WITH g
CALL (g) {
  MATCH (g)-[old:HAS_ROLE]->(r:Role)
  WHERE NOT r.name IN $roles
  DELETE old
}
CALL (g) {
  UNWIND $roles AS role
  MATCH (r:Role {name: role})
  MERGE (g)-[:HAS_ROLE]->(r)
}
RETURN g.name AS name
