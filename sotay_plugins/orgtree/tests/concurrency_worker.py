"""A writer process (or thread: ``run_ops``) for test_concurrency: random inserts, moves and
merges on one province tree.

Run as ``python -m sotay_plugins.orgtree.tests.concurrency_worker <tree_id> <seed> <ops>`` with
DATABASE_URL naming the test database. It reads the tree *outside* the lock on purpose (its
picture of the tree is as stale as a web form's) and prints a JSON line of what it did.

``SOTAY_TEST_TREE_UNLOCKED=1`` replaces the tree lock by a bare transaction in this process
only: the demonstration that without the lock concurrent writers corrupt the tree. The switch
lives here, in the test worker, and nowhere in production code.
"""

import json
import os
import random
import sys
from contextlib import contextmanager


def main(tree_id, seed, ops):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import transaction

    from sotay_plugins.orgtree import models, services

    if os.environ.get("SOTAY_TEST_TREE_UNLOCKED") == "1":

        @contextmanager
        def no_lock():
            with transaction.atomic():
                yield

        models.tree_lock = services.tree_lock = no_lock
    print(json.dumps(run_ops(tree_id, seed, ops)))


def run_ops(tree_id, seed, ops):
    """``ops`` random writes on tree ``tree_id``; returns how many of each went through."""
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError
    from mptt.exceptions import InvalidMove

    from sotay_plugins.orgtree import services
    from sotay_plugins.orgtree.choices import KIND_RANK, OrgKind
    from sotay_plugins.orgtree.models import Organisation

    rank = {kind: KIND_RANK[OrgKind(kind)] for kind in OrgKind}
    rng = random.Random(seed)
    stats = {"create": 0, "move": 0, "save_move": 0, "merge": 0, "refused": 0, "db_error": 0}
    for n in range(ops):
        units = list(
            Organisation.objects.filter(tree_id=tree_id, is_active=True).values_list(
                "pk", "kind", "code", "parent_id"
            )
        )
        holders = [u for u in units if u[1] != OrgKind.CELL]
        op = rng.choice(["create", "create", "move", "move", "save_move", "merge"])
        try:
            if op == "create":
                parent = rng.choice(holders)
                kind = rng.choice([k for k in OrgKind if rank[k] > rank[parent[1]]])
                services.create_org(
                    parent=parent[0],
                    name=f"Đơn vị {seed}-{n}",
                    code=f"{parent[2]}.w{seed}n{n}",
                    kind=kind,
                )
            elif op in ("move", "save_move"):
                unit = rng.choice([u for u in units if u[3] is not None])
                targets = [t for t in holders if rank[t[1]] < rank[unit[1]] and t[0] != unit[3]]
                if not targets:
                    continue
                target = rng.choice(targets)
                if op == "move":
                    services.move_org(unit[0], target[0])
                else:  # through save(), as an admin form would: no cycle check but mptt's own
                    org = Organisation.objects.get(pk=unit[0])
                    org.parent_id = target[0]
                    org.save()
            else:
                kind = rng.choice([OrgKind.CELL, OrgKind.BASE])
                same = [u for u in units if u[1] == kind]
                if len(same) < 3:
                    continue
                source, target = rng.sample(same, 2)
                services.merge_orgs(source[0], target[0])
            stats[op] += 1
        except (ValidationError, InvalidMove, Organisation.DoesNotExist):
            stats["refused"] += (
                1  # the tree changed under the stale picture: refused under the lock
            )
        except DatabaseError:
            stats["db_error"] += 1  # deadlocks and the like, only expected without the lock
    return stats


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    main(*map(int, sys.argv[1:4]))
