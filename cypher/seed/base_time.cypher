// The seed's clock, fixed at its first run so that a resumed run generates the same rows.
MERGE (s:SeedRun {id: 'seed'})
  ON CREATE SET s.base_ms = $now_ms, s.params = $params
RETURN s.base_ms AS base_ms, s.params AS params
