// The author of the tweet a reply would answer (no row when it is gone).
MATCH (author:User)-[:POSTED]->(:Tweet {id: $id})
RETURN author.id AS author_id
