"""Recommendation endpoints: whom a signed-in user might follow."""
from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from social import recommendations
from domain.pages import DEFAULT_LIMIT, MAX_LIMIT
from web.context import services as svc
from web.inputs import int_arg
from web.policy import SIGNED_IN, allow

bp = Blueprint("recommendations", __name__, url_prefix="/api/v1/recommendations")


@bp.get("/follows")
@allow(SIGNED_IN)
def follows():
    """Accounts to follow, best first, each with its score and the reason it is suggested."""
    limit = int_arg("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    return jsonify({"users": recommendations.who_to_follow(svc(), current_user.user_id, limit)})
