// Full-text search over tweet text (words, prefixes, hashtags: the analyzer drops the '#'): the
// best $candidates matches by relevance, then those of authors not in $hidden, ordered by
// relevance, ties by engagement (likes + 2 boosts, the popularity formula's weights), then newest.
// $query is Lucene syntax built by domain/search.py, never the user's text as it came.
CALL db.index.fulltext.queryNodes('tweet_search', $query, {limit: $candidates}) YIELD node AS t, score
MATCH (author:User)-[:POSTED]->(t)
WHERE NOT author.id IN $hidden
RETURN t.id AS id
ORDER BY score DESC, COUNT { (t)<-[:LIKED]-() } + 2 * COUNT { (t)<-[:BOOSTED]-() } DESC, id DESC
SKIP $skip
LIMIT $limit
