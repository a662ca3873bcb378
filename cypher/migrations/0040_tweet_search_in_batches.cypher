// Full-text search of tweets covers the :Searchable ones: the search consumer group labels new
// tweets in batches (cypher/search/index_tweets.cypher), so that a post's own transaction never
// pays Lucene's per-commit refresh, about 7 ms of Neo4j CPU. Tweets made before this migration are
// labelled here, and then the index is built over them at once. It replaces `tweet_text` (on every
// :Tweet), which databases migrated before 0040 hold.
MATCH (t:Tweet) WHERE NOT t:Searchable
CALL (t) { SET t:Searchable } IN TRANSACTIONS OF 10000 ROWS;
DROP INDEX tweet_text IF EXISTS;
CREATE FULLTEXT INDEX tweet_search IF NOT EXISTS FOR (t:Searchable) ON EACH [t.text]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}};
