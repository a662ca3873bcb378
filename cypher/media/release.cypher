// Deletes those of $ids that no tweet carries any longer; their ids, so their files go too.
UNWIND $ids AS media_id
MATCH (m:Media {id: media_id})
WHERE NOT EXISTS { (m)<-[:HAS_MEDIA]-(:Tweet) }
DETACH DELETE m
RETURN media_id AS id
