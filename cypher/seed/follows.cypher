UNWIND $rows AS row
MATCH (a:User {id: row[0]}), (b:User {id: row[1]})
CREATE (a)-[:FOLLOWS {created_at: datetime({epochMillis: row[2]})}]->(b)
WITH count(*) AS created
MERGE (:SeedBatch {id: $batch})
RETURN created
