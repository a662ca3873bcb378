// Communities of hashtags: the connected components of the co-occurrence graph of the last
// $hours hours, where two tags are joined when a tweet carries both. Each community is named by
// its alphabetically first tag; the largest come first. Tags never used with another are left out.
// Each tag searches breadth first for every tag it is connected to, so the cost grows with
// tags x (tags + tweets) of the window: keep the window short on a large graph.
// In Neo4j Browser: :params {hours: 168, limit: 20}
WITH datetime() - duration({hours: $hours}) AS since
MATCH (tag:Tag)<-[:TAGS]-(tweet:Tweet)-[:TAGS]->(:Tag)
WHERE tweet.created_at >= since
WITH DISTINCT since, tag
MATCH ANY SHORTEST (tag)((:Tag)<-[:TAGS]-(t:Tweet WHERE t.created_at >= since)-[:TAGS]->(:Tag))*(member:Tag)
WITH since, tag, min(member.name) AS community
WITH since, community, collect(tag) AS tags
RETURN community, size(tags) AS size, [tag IN tags | tag.name] AS tags,
       size(COLLECT { UNWIND tags AS tag
                      MATCH (tag)<-[:TAGS]-(tweet:Tweet) WHERE tweet.created_at >= since
                      RETURN DISTINCT tweet }) AS tweets
ORDER BY size DESC, tweets DESC, community
LIMIT $limit
