// PageRank is read by recommendations and admins sorting users by influence.
CREATE INDEX user_rank IF NOT EXISTS FOR (u:User) ON (u.rank);
