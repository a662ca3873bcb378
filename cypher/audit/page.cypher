// The audit log, newest first; the cursor is the last entry's id (ids are time-ordered).
MATCH (e:AuditEntry)
WHERE $before_id IS NULL OR e.id < $before_id
RETURN e.id AS id, e.actor AS actor, e.action AS action, e.target AS target, e.details AS details,
       toString(e.created_at) AS created_at
ORDER BY e.id DESC
LIMIT $limit
