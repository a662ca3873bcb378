UNWIND $rows AS row
MATCH (a:User {id: row[1]})
CREATE (a)-[:POSTED {created_at: datetime({epochMillis: row[2]})}]->
       (:Tweet:Searchable {id: row[0], text: row[3], created_at: datetime({epochMillis: row[2]})})
WITH count(*) AS created
MERGE (:SeedBatch {id: $batch})
RETURN created
