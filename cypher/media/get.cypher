// One upload with its uploader.
MATCH (u:User)-[:UPLOADED]->(m:Media {id: $id})
RETURN m {.*, created_at: toString(m.created_at), expires_at: toString(m.expires_at)} AS media,
       u.id AS owner_id
