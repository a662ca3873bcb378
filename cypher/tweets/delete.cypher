MATCH (t:Tweet {id: $id})
DETACH DELETE t
RETURN count(*) AS deleted
