// A new upload of the user's, open for chunks until expires_at.
MATCH (u:User {id: $owner_id})
CREATE (u)-[:UPLOADED]->(m:Media {
  id: $id, state: 'uploading', requested_type: $media_type, total_bytes: $total_bytes,
  chunk_size: $chunk_size, created_at: datetime({epochMillis: $now_ms}),
  expires_at: datetime({epochMillis: $expires_ms})
})
RETURN m {.*, created_at: toString(m.created_at), expires_at: toString(m.expires_at)} AS media,
       u.id AS owner_id
