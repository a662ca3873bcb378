"""Recommendation endpoints: whom a signed-in user might follow."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import recommendations
from web.context import services as svc
from web.inputs import LimitQuery, query
from web.outputs import Recommendations, responds
from web.policy import SIGNED_IN, allow

bp = Blueprint("recommendations", __name__, url_prefix="/api/v1/recommendations")


@bp.get("/follows")
@allow(SIGNED_IN)
@responds(Recommendations)
@query(LimitQuery)
def follows(query: LimitQuery):
    """Accounts to follow, best first, each with its score and the reason it is suggested."""
    return jsonify({"users": recommendations.who_to_follow(svc(), current_user.user_id, query.limit)})
