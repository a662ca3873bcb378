MATCH (:User {id: $user_id})-[m:MEMBER_OF]->(:Group {name: $name})
DELETE m
RETURN count(*) AS removed
