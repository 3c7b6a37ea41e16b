#!/usr/bin/env python3
"""Create or update FAB users (run with the Airflow virtualenv's python, AIRFLOW_HOME etc. set).

Usage: fab_users.py USERNAME:PASSWORD:ROLE ...

Idempotent: an existing user gets the given role and password again. Works with the FAB provider
of Airflow 2.10/2.11 (FAB is Airflow 2's only auth manager) and of Airflow 3 (FabAuthManager).
One process for every user, instead of one `airflow users create` per user.
"""

from __future__ import annotations

import sys

from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder


def main() -> int:
    specs = [arg.split(":", 2) for arg in sys.argv[1:]]
    if not specs or any(len(s) != 3 for s in specs):
        print(__doc__, file=sys.stderr)
        return 2
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        if any(sm.find_role(role) is None for _, _, role in specs):
            # A fresh DB has only Admin and Public: create FAB's default roles with their
            # permissions (what `airflow sync-perm` does).
            sm.sync_roles()
        for username, password, role_name in specs:
            role = sm.find_role(role_name)
            if role is None:
                print(f"no FAB role {role_name!r}; roles: {[r.name for r in sm.get_all_roles()]}", file=sys.stderr)
                return 1
            user = sm.find_user(username=username)
            if user is None:
                user = sm.add_user(username=username, first_name=username, last_name="Local",
                                   email=f"{username}@example.com", role=role, password=password)
                if not user:
                    print(f"could not create user {username!r}", file=sys.stderr)
                    return 1
                print(f"created {username} ({role_name})")
            else:
                user.roles = [role]
                sm.update_user(user)
                sm.reset_password(user.id, password)
                print(f"updated {username} ({role_name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
