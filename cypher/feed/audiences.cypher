// The audience of each author's fan-out, for a batch of posts: the followers' ids of an author at
// or under the threshold; null above it (a celebrity, merged into feeds at read time).
UNWIND $author_ids AS author_id
MATCH (a:User {id: author_id})
WITH author_id, a, COUNT { (a)<-[:FOLLOWS]-() } AS followers
RETURN author_id,
       CASE WHEN followers > $threshold THEN null
            ELSE COLLECT { MATCH (a)<-[:FOLLOWS]-(f:User) RETURN f.id } END AS ids
