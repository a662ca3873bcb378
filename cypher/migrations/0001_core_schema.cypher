// Users, tweets and API tokens: unique ids, usernames unique without regard to case.
CREATE CONSTRAINT migration_id IF NOT EXISTS FOR (m:Migration) REQUIRE m.id IS UNIQUE;
CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE;
CREATE CONSTRAINT user_username_key IF NOT EXISTS FOR (u:User) REQUIRE u.username_key IS UNIQUE;
CREATE CONSTRAINT tweet_id IF NOT EXISTS FOR (t:Tweet) REQUIRE t.id IS UNIQUE;
CREATE INDEX tweet_created_at IF NOT EXISTS FOR (t:Tweet) ON (t.created_at);
CREATE CONSTRAINT api_token_id IF NOT EXISTS FOR (k:ApiToken) REQUIRE k.id IS UNIQUE;
CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (k:ApiToken) REQUIRE k.hash IS UNIQUE;
