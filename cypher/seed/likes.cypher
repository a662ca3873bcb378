UNWIND $rows AS row
MATCH (u:User {id: row[0]}), (t:Tweet {id: row[1]})
CREATE (u)-[:LIKED {created_at: datetime({epochMillis: row[2]})}]->(t)
WITH count(*) AS created
MERGE (:SeedBatch {id: $batch})
RETURN created
