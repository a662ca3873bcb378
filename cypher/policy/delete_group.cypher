// Removes a group with its memberships; returns who lost the group's roles.
MATCH (g:Group {name: $name})
WITH g, COLLECT { MATCH (g)<-[:MEMBER_OF]-(u:User) RETURN u.id } AS member_ids
DETACH DELETE g
RETURN member_ids
