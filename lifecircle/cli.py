"""The ``lifecircle`` command: the geo engine's commands, and Django's for everything else.

    lifecircle geo build-graph city.osm.pbf city.npz     # the geo engine alone, no database
    lifecircle pack new FOLDER --osm city.osm.pbf …      # manage.py make_pack FOLDER …
    lifecircle serve                                     # manage.py commands work too
    lifecircle --help                                    # every command, ``geo`` included
"""
import os
import sys

HELP = ("help", "--help", "-h")
GEO_HELP = """
[geo]
    geo    the walking-network engine alone, no database: build-graph, geojson, accessibility,
           coverage, isochrone ('lifecircle geo --help'). Distances follow the walking standard
           (--standard FILE, default data/standards/shanghai-2016.json: 300/500/1000 m).
"""


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "geo" or argv[:2] in (["help", "geo"], ["geo"]):
        from lifecircle.geo.cli import main as geo_main

        return geo_main(["--help"] if argv[0] == "help" else argv[1:])
    if argv[:2] == ["pack", "new"]:
        argv = ["make_pack", *argv[2:]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lifecircle.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lifecircle", *argv])
    if not argv or (len(argv) == 1 and argv[0] in HELP):
        # Django lists its own commands; the geo engine's are not Django commands.
        sys.stdout.write(GEO_HELP)
    return 0


if __name__ == "__main__":
    sys.exit(main())
