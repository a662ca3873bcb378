// The audit log, newest first (entry ids are time-ordered): who did what to whom. actor is a
// username, or "console" for the operator's `flask --app wsgi roles ...`; target names the user
// or group acted on; details holds what changed, as JSON.
// In Neo4j Browser: :param limit => 50
MATCH (entry:AuditEntry)
RETURN entry.id AS id, toString(entry.created_at) AS created_at, entry.actor AS actor,
       entry.action AS action, entry.target AS target, entry.details AS details
ORDER BY entry.id DESC
LIMIT $limit
