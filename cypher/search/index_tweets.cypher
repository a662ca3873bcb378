// A batch of new tweets, $ids, joins the full-text index `tweet_search` (migration 0040): one
// Lucene refresh for the whole batch. A tweet deleted meanwhile matches nothing.
UNWIND $ids AS id
MATCH (t:Tweet {id: id})
SET t:Searchable
