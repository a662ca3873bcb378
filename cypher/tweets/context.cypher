// The thread around a tweet: every tweet it answers, up to the root, and every reply below it,
// each oldest first (ids are time-ordered). Placeholders of deleted tweets (:DeletedTweet) are
// included, so the thread does not break. In Neo4j Browser: :param id => 123
MATCH (:User)-[:POSTED]->(t:Tweet {id: $id})
RETURN COLLECT { MATCH (t)-[:REPLY_TO*1..]->(a) RETURN {id: a.id, deleted: a:DeletedTweet} AS x ORDER BY a.id } AS ancestors,
       COLLECT { MATCH (d)-[:REPLY_TO*1..]->(t)
                 RETURN {id: d.id, deleted: d:DeletedTweet, parent: [(d)-[:REPLY_TO]->(p) | p.id][0]} AS x
                 ORDER BY d.id LIMIT $limit } AS descendants
