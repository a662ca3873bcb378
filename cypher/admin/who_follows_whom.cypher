// Who follows whom around one user: each FOLLOWS relationship to or from $username, newest
// first. To see them as a graph in Neo4j Browser, end the query with RETURN path instead.
// In Neo4j Browser: :params {username: 'ada', limit: 50}
MATCH path = (:User {username_key: toLower($username)})-[follows:FOLLOWS]-(:User)
RETURN startNode(follows).username AS follower, endNode(follows).username AS followee,
       toString(follows.created_at) AS since
ORDER BY follows.created_at DESC, follower, followee
LIMIT $limit
