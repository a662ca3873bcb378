// Tweets tagged $tag (case-folded), newest first, none by an author in $hidden.
// In Neo4j Browser: :params {tag: 'neo4j', hidden: [], before_id: null, limit: 20}
MATCH (:Tag {name: $tag})<-[:TAGS]-(t:Tweet)<-[:POSTED]-(author:User)
WHERE NOT author.id IN $hidden AND ($before_id IS NULL OR t.id < $before_id)
RETURN t.id AS id
ORDER BY id DESC
LIMIT $limit
