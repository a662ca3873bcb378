// The conversation graph (docs/conversation.md): tags, the placeholders that deleted tweets with
// replies leave in their thread, the recent TAGS edges that trending reads, full-text search of
// users (that of tweets is in 0040).
CREATE CONSTRAINT tag_name IF NOT EXISTS FOR (g:Tag) REQUIRE g.name IS UNIQUE;
CREATE CONSTRAINT deleted_tweet_id IF NOT EXISTS FOR (d:DeletedTweet) REQUIRE d.id IS UNIQUE;
CREATE INDEX tags_created_at IF NOT EXISTS FOR ()-[r:TAGS]-() ON (r.created_at);
CREATE FULLTEXT INDEX user_names IF NOT EXISTS FOR (u:User) ON EACH [u.username, u.display_name]
  OPTIONS {indexConfig: {`fulltext.analyzer`: 'standard-no-stop-words'}};
