// Deletes uploads that are still not ready (a purge racing a late finalize keeps the ready one).
UNWIND $ids AS media_id
MATCH (m:Media {id: media_id})
WHERE m.state <> 'ready'
DETACH DELETE m
RETURN media_id AS id
