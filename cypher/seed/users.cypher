// One batch of seed users; the SeedBatch marker commits with it, so a rerun skips it.
UNWIND $rows AS row
CREATE (:User {
  id: row.id, username: row.username, username_key: row.username_key,
  display_name: row.display_name, bio: row.bio, password_hash: $password_hash,
  created_at: datetime({epochMillis: row.ts})
})
WITH count(*) AS created
MERGE (:SeedBatch {id: $batch})
RETURN created
