// Everyone who follows an author: the audience of a fan-out.
MATCH (:User {id: $author_id})<-[:FOLLOWS]-(f:User)
RETURN collect(f.id) AS ids
