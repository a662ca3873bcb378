// Roles, permissions, groups and the audit log of admin actions (the policy issue).
// `user` is everyone's role without an edge; `admin` grants every permission there is.
CREATE CONSTRAINT role_name IF NOT EXISTS FOR (r:Role) REQUIRE r.name IS UNIQUE;
CREATE CONSTRAINT permission_name IF NOT EXISTS FOR (p:Permission) REQUIRE p.name IS UNIQUE;
CREATE CONSTRAINT group_name IF NOT EXISTS FOR (g:Group) REQUIRE g.name IS UNIQUE;
CREATE CONSTRAINT audit_entry_id IF NOT EXISTS FOR (e:AuditEntry) REQUIRE e.id IS UNIQUE;
UNWIND ['user', 'moderator', 'admin'] AS name
MERGE (:Role {name: name});
UNWIND ['tweets:delete_any', 'users:suspend', 'roles:assign', 'admin:read'] AS name
MERGE (:Permission {name: name});
MATCH (r:Role {name: 'moderator'}), (p:Permission {name: 'tweets:delete_any'})
MERGE (r)-[:GRANTS]->(p);
MATCH (r:Role {name: 'admin'}), (p:Permission)
MERGE (r)-[:GRANTS]->(p);
