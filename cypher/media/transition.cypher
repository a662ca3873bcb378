// Moves an upload from one of the states $from_ to $props.state, setting $props; no row when it was
// in another state (a finalize twice, a job run again).
MATCH (u:User)-[:UPLOADED]->(m:Media {id: $id})
WHERE m.state IN $from_
SET m += $props
RETURN m {.*, created_at: toString(m.created_at), expires_at: toString(m.expires_at)} AS media,
       u.id AS owner_id
