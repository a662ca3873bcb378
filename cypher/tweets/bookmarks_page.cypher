// A user's bookmarks, most recently bookmarked first, but none by an author in $hidden (the
// visibility rule, docs/conversation.md); the cursor is the last row's (bookmark time, id).
MATCH (:User {id: $user_id})-[r:BOOKMARKED]->(t:Tweet)<-[:POSTED]-(author:User)
WHERE NOT author.id IN $hidden
WITH t, r.created_at.epochMillis AS ts
WHERE $before_ts IS NULL OR ts < $before_ts OR (ts = $before_ts AND t.id < $before_id)
RETURN t.id AS id, ts
ORDER BY ts DESC, id DESC
LIMIT $limit
