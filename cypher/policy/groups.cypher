// Groups with their roles and member counts; one group when $name is given.
MATCH (g:Group)
WHERE $name IS NULL OR g.name = $name
RETURN g.name AS name,
       COLLECT { MATCH (g)-[:HAS_ROLE]->(r:Role) RETURN r.name ORDER BY r.name } AS roles,
       COUNT { (g)<-[:MEMBER_OF]-(:User) } AS members_count
ORDER BY name
