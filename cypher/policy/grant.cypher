// What one user may do: effective roles (direct, through groups, and everyone's `user`), the
// permissions they grant, and what an admin sees beside them (direct roles, groups, suspension).
MATCH (u:User {id: $user_id})
CALL (u) {
  MATCH (r:Role)
  WHERE r.name = 'user' OR EXISTS { (u)-[:HAS_ROLE]->(r) } OR EXISTS { (u)-[:MEMBER_OF]->(:Group)-[:HAS_ROLE]->(r) }
  OPTIONAL MATCH (r)-[:GRANTS]->(p:Permission)
  RETURN collect(DISTINCT r.name) AS roles, collect(DISTINCT p.name) AS permissions
}
RETURN u.id AS user_id, u.username AS username, roles, permissions,
       COLLECT { MATCH (u)-[:HAS_ROLE]->(r:Role) RETURN r.name ORDER BY r.name } AS direct_roles,
       COLLECT { MATCH (u)-[:MEMBER_OF]->(g:Group) RETURN g.name ORDER BY g.name } AS groups,
       coalesce(u.suspended, false) AS suspended
