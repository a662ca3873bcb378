// Every role with the permissions it grants.
MATCH (r:Role)
RETURN r.name AS role, COLLECT { MATCH (r)-[:GRANTS]->(p:Permission) RETURN p.name } AS permissions
ORDER BY role
