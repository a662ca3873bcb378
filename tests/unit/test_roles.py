"""The escalation rules of administration, as pure functions."""
import pytest

from domain.errors import Forbidden, Unprocessable
from domain.roles import Grant, check_group_name, check_may_change, check_not_self, check_outranks, check_roles

KNOWN = {
    "user": frozenset(),
    "moderator": frozenset({"tweets:delete_any"}),
    "admin": frozenset({"tweets:delete_any", "users:suspend", "roles:assign", "admin:read"}),
    "helper": frozenset({"roles:assign"}),
}


def grant(*roles, user_id=1):
    perms = frozenset().union(*(KNOWN[r] for r in roles)) if roles else frozenset()
    return Grant(user_id, f"u{user_id}", frozenset({"user", *roles}), perms)


def test_user_role_is_accepted_but_never_held_directly():
    assert check_roles(["user", "moderator"], KNOWN) == {"moderator"}


def test_unknown_roles_are_422_naming_them():
    with pytest.raises(Unprocessable) as err:
        check_roles(["moderator", "overlord"], KNOWN)
    assert err.value.code == "unknown_role" and "overlord" in err.value.message


def test_admin_may_grant_every_role():
    check_may_change(grant("admin"), frozenset({"moderator", "admin", "helper"}), KNOWN)


def test_a_role_whose_permissions_you_lack_cannot_be_granted_or_removed():
    with pytest.raises(Forbidden) as err:
        check_may_change(grant("helper"), frozenset({"admin"}), KNOWN)
    assert err.value.code == "role_not_held" and err.value.details["roles"] == ["admin"]
    with pytest.raises(Forbidden):
        check_may_change(grant("helper"), frozenset({"moderator"}), KNOWN)
    check_may_change(grant("helper"), frozenset({"helper"}), KNOWN)


def test_the_console_operator_bootstraps_without_holding_anything():
    check_may_change(None, frozenset({"admin"}), KNOWN)
    check_not_self(None, 1, "x", "y")
    check_outranks(None, grant("admin"))


def test_no_one_acts_on_themselves():
    with pytest.raises(Forbidden) as err:
        check_not_self(grant("admin", user_id=7), 7, "cannot_change_own_roles", "no")
    assert err.value.code == "cannot_change_own_roles"
    check_not_self(grant("admin", user_id=7), 8, "cannot_change_own_roles", "no")


def test_only_someone_holding_all_the_targets_permissions_may_suspend_them():
    check_outranks(grant("admin"), grant("moderator", user_id=2))
    check_outranks(grant("admin"), grant("admin", user_id=2))
    with pytest.raises(Forbidden) as err:
        check_outranks(grant("helper"), grant("moderator", user_id=2))
    assert err.value.code == "target_outranks_you"


@pytest.mark.parametrize("name", ["", "Staff", "a b", "x" * 33, "ünï", "a/b"])
def test_bad_group_names_are_422(name):
    with pytest.raises(Unprocessable):
        check_group_name(name)


def test_staff_means_moderator_or_admin():
    assert grant("moderator").staff and grant("admin").staff
    assert not grant().staff and not grant("helper").staff
