MATCH (a:User {id: $author_id})
RETURN COUNT { (a)<-[:FOLLOWS]-() } AS followers
