"""``python -m bot.server.erase``: one person's conversations out of a PostgreSQL tracker store.

Our own environment has no PostgreSQL driver; Rasa's has its own (psycopg2). So the erase
command (``python -m privacy.erase``) runs this in Rasa's environment when conversations are
in PostgreSQL. It hands over one JSON object on stdin (never on a command line others can
read): ``phone`` (E.164) and ``email`` as it normalised them, and ``location`` (the fields of
``common.tracker.Location``). One JSON line comes back: the conversations and the number of
events removed, and the media paths they named.
"""

from __future__ import annotations

import json
import sys

from common.erasure import Person
from common.tracker import Location, TrackerStore, erase_person


def main() -> int:
    """Erase the person stdin names from the store it names; print what went as JSON."""
    asked = json.loads(sys.stdin.read())
    store = TrackerStore.open(Location(**asked["location"]))
    try:
        erased = erase_person(store, Person(asked.get("phone"), asked.get("email")))
    finally:
        store.close()
    answer = {
        "conversations": sorted(erased.conversations),
        "events": erased.events,
        "media_paths": sorted(erased.media_paths),
    }
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
