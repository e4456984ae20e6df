"""Set-up of the doctests (the ``Examples`` sections, run by ``pytest --doctest-modules``).

The examples of the PostGIS backend and of the commands that work on a PostGIS plan run against a
real database: their name ``database`` is the test suite's PostGIS server (``postgis_uri`` of
:mod:`tests.postgis_server`: ``$ZONEPLAN_TEST_POSTGRES_URI``, else a throw-away local cluster
started once per run). Every other example runs on the bundled sample plans alone.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.postgis_server"]

#: Modules whose examples use a PostGIS database.
DATABASE_EXAMPLES = ("zoneplan.io.postgis", "zoneplan.cli.history_commands", "zoneplan.cli.transfer_commands")


@pytest.fixture(autouse=True)
def _database_for_examples(request: pytest.FixtureRequest, doctest_namespace: dict) -> None:
    if isinstance(request.node, pytest.DoctestItem) and request.node.name.startswith(DATABASE_EXAMPLES):
        doctest_namespace["database"] = request.getfixturevalue("postgis_uri")
