"""The ``lifecircle`` command: the geo engine's commands, and Django's for everything else.

    lifecircle geo build-graph city.osm.pbf city.npz     # the geo engine alone, no database
    lifecircle pack new FOLDER --osm city.osm.pbf …      # manage.py make_pack FOLDER …
    lifecircle serve                                     # manage.py commands work too
"""
import os
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "geo":
        from lifecircle.geo.cli import main as geo_main

        return geo_main(argv[1:])
    if argv[:2] == ["pack", "new"]:
        argv = ["make_pack", *argv[2:]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lifecircle", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
