MATCH (author:User)-[:POSTED]->(t:Tweet {id: $id})
RETURN author.id AS author_id
