MATCH (b:SeedBatch) RETURN b.id AS id
