// How many users there are and how many hold a PageRank (User.rank). The user count comes from
// the count store and the ranked count from the User.rank index, so the check stays cheap enough
// to run every minute.
MATCH (user:User)
WITH count(user) AS users
OPTIONAL MATCH (ranked:User) WHERE ranked.rank IS NOT NULL
RETURN users, count(ranked) AS ranked
