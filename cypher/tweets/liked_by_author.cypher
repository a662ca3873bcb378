// Which of the tweets $ids their own author has liked: the `liked` flag of a like notification's
// tweet, as its recipient (the author) sees it, for a whole batch in one read.
UNWIND $ids AS id
MATCH (author:User)-[:POSTED]->(t:Tweet {id: id})
WHERE EXISTS { (author)-[:LIKED]->(t) }
RETURN t.id AS id
