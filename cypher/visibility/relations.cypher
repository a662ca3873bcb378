// For each user of $ids: whom they block, who blocks them, whom they mute. The visibility rule
// (domain/visibility.py) hides the union of the three from them; cache/hidden.py keeps it in Redis.
UNWIND $ids AS user_id
MATCH (u:User {id: user_id})
RETURN u.id AS user_id,
       COLLECT { MATCH (u)-[:BLOCKS]->(x:User) RETURN x.id } AS blocks,
       COLLECT { MATCH (u)<-[:BLOCKS]-(x:User) RETURN x.id } AS blocked_by,
       COLLECT { MATCH (u)-[:MUTES]->(x:User) RETURN x.id } AS mutes
