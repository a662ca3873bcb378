// Markers that make seed_graph.py resumable batch by batch.
CREATE CONSTRAINT seed_batch_id IF NOT EXISTS FOR (b:SeedBatch) REQUIRE b.id IS UNIQUE;
