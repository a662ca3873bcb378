// The author's own uploads among $ids, with what a tweet needs to know to carry them.
UNWIND $ids AS media_id
MATCH (:User {id: $author_id})-[:UPLOADED]->(m:Media {id: media_id})
RETURN m.id AS id, m.state AS state, m.type AS type
