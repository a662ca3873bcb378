UNWIND $ids AS id
MATCH (s:User)-[:SENT]->(m:Message {id: id})-[:TO]->(r:User)
RETURN m.id AS id, s.username AS from, r.username AS to, m.text AS text, toString(m.created_at) AS created_at
