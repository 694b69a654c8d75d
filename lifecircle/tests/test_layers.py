"""The architecture, checked (docs/architecture.md): imports go down the layers, never up, and no
module reaches into another's private (``_``) names.

Both checks read every module under ``lifecircle/`` as text (``ast``), so they see imports inside
functions too, and they list every offender, not just the first.

Exempt, and why:

* tests (``tests/`` folders, ``conftest.py``, ``testing.py``): they exercise the assembled project
  -- the directory's map test shows the layers the service apps register, so it makes their data;
* migrations: generated history; what a model may refer to is already checked through ``models.py``.
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # lifecircle/

#: Each top-level module of lifecircle and its layer; a module may import its own layer and below.
LAYERS = {
    # 0 -- the geo engine and plain geometry checks: no Django.
    "geo": 0, "geography": 0,
    # 1 -- the base every app stands on: places, the service directory, people, notices.
    "community": 1, "directory": 1, "accounts": 1, "notifications": 1,
    #      and the cross-cutting pieces every layer above may use: the shared-cache rate limiter,
    #      the client address behind trusted proxies, the scheduler that `serve` starts, the check
    #      that re-encodes uploaded photos (participation and requests311 both take them), and the
    #      domain's refusals (Refused, Conflict, NotFound) that accounts and the service apps raise,
    #      the JSON writer of the API, Open311 and the map layers, and the queries compiled once per
    #      process that accounts' and the service apps' pages run.
    "ratelimit": 1, "proxy": 1, "scheduler": 1, "caching": 1, "dates": 1, "images": 1, "errors": 1,
    "json_encoding": 1, "compiled_queries": 1,
    # 2 -- the service apps, and accessibility: it measures the directory's facilities from the
    #      community's compounds on the engine, and only planning and the project's API read it.
    "accessibility": 2, "babycare": 2, "bookings": 2, "eldercare": 2, "homecare": 2, "meals": 2,
    "participation": 2, "requests311": 2, "volunteers": 2,
    # 3 -- planning reads everything below it.
    "planning": 3,
    # 4 -- the project's wiring: settings, URLs, the API that mounts every router, servers, commands.
    "settings": 4, "urls": 4, "api": 4, "wsgi": 4, "asgi": 4, "cli": 4, "context_processors": 4,
    "testing": 4, "conftest": 4, "tests": 4, "locale": 4, "templates": 4,
    "logredact": 4, "pytest_environment": 4, "api_docs": 4, "handlers": 4, "head": 4, "startup": 4,
}

#: Upward imports allowed on purpose: (importing file, imported module) -> why. None today.
EXCEPTIONS = {}


def _modules():
    """(path, dotted name) of every Python module under lifecircle/ that the checks read."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts or "tests" in parts or parts[-1] in ("conftest", "testing"):
            continue
        yield path, ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_package(path):
    return path.name == "__init__.py"


def _imports(path, name):
    """(line, imported module, names taken from it, node) for every import in the file, relative
    imports resolved."""
    package = name if _is_package(path) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, [], alias
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            yield node.lineno, base, [alias.name for alias in node.names], node


def _layer(dotted):
    parts = dotted.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 and parts[0] == "lifecircle" else None


def _is_module(dotted):
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def upward_imports():
    offenders = []
    for path, name in _modules():
        here = _layer(name)
        for line, target, names, _node in _imports(path, name):
            submodules = [f"{target}.{n}" for n in names if _is_module(f"{target}.{n}")]
            for imported in submodules or [target]:
                there = _layer(imported)
                where = f"{path.relative_to(PACKAGE.parent)}:{line}"
                if there is not None and here is not None and there > here \
                        and (str(path.relative_to(PACKAGE.parent)), imported) not in EXCEPTIONS:
                    offenders.append((path, line, f"{where}: layer {here} ({name}) imports layer {there} ({imported})"))
    return [text for *_, text in sorted(offenders)]


def private_name_uses():
    """``from other import _name`` and ``other_module._name`` where ``other`` is another module."""
    offenders = []
    for path, name in _modules():
        where = path.relative_to(PACKAGE.parent)
        module_aliases = {}  # local name -> the lifecircle module it is bound to
        for line, target, names, node in _imports(path, name):
            if isinstance(node, ast.alias):
                if node.asname and target.startswith("lifecircle."):
                    module_aliases[node.asname] = target
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and target != name:
                    offenders.append((path, line, f"{where}:{line}: imports {alias.name} from {target}"))
                elif target.startswith("lifecircle") and _is_module(f"{target}.{alias.name}"):
                    module_aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in module_aliases and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and module_aliases[node.value.id] != name:
                used = f"{module_aliases[node.value.id]}.{node.attr}"
                offenders.append((path, node.lineno, f"{where}:{node.lineno}: uses {used}"))
    return [text for *_, text in sorted(offenders)]


def test_every_top_level_module_has_a_layer():
    names = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" or (p / "__init__.py").exists() or p.name in ("locale", "templates"))
             and p.name != "__init__.py"}
    assert sorted(names - set(LAYERS)) == [], "give each new app or module its layer in LAYERS"


def test_no_layer_imports_a_higher_one():
    assert upward_imports() == []


def test_no_module_uses_another_modules_private_names():
    assert private_name_uses() == []


def test_the_checks_see_an_upward_import_and_a_private_name(tmp_path, monkeypatch):
    """The checks are not vacuous: a directory module importing a service app and another module's
    private name is caught, with its file and line."""
    fake = tmp_path / "lifecircle"
    (fake / "directory").mkdir(parents=True)
    (fake / "requests311").mkdir()
    for init in ("__init__.py", "directory/__init__.py", "requests311/__init__.py"):
        (fake / init).write_text("")
    (fake / "requests311" / "stats.py").write_text("def _row():\n    pass\n")
    (fake / "directory" / "views.py").write_text(
        "from lifecircle.community.models import SubDistrict\n"
        "def page():\n    from lifecircle.requests311 import stats\n    return stats._row()\n"
        "from lifecircle.requests311.stats import _row\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    assert upward_imports() == [
        "lifecircle/directory/views.py:3: layer 1 (lifecircle.directory.views) imports layer 2 "
        "(lifecircle.requests311.stats)",
        "lifecircle/directory/views.py:5: layer 1 (lifecircle.directory.views) imports layer 2 "
        "(lifecircle.requests311.stats)",
    ]
    assert private_name_uses() == [
        "lifecircle/directory/views.py:4: uses lifecircle.requests311.stats._row",
        "lifecircle/directory/views.py:5: imports _row from lifecircle.requests311.stats",
    ]


def test_models_do_not_import_their_apps_rules():
    """Within an app, ``services`` (the rules) builds on ``models``; a rule a model needs too lives
    with the models or below both (``bookings.models.room_clash``, ``eldercare.models.peak_from``)."""
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target}"
                 for path, name in _modules() if path.name == "models.py"
                 for line, target, names, _node in _imports(path, name)
                 if target == f"{name.rpartition('.')[0]}.services"
                 or (target == name.rpartition(".")[0] and "services" in names)]
    assert offenders == []
