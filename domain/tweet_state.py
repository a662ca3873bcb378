"""What a tweet object carries besides its body: exact counters, and the viewer's own flags."""

COUNTS = ("like", "reply", "boost")  # like_count, reply_count, boost_count
FLAGS = ("liked", "boosted", "bookmarked")  # the viewer's
