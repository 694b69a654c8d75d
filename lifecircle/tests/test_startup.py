"""The server's start-up (lifecircle.startup): what a worker's first request of each kind would
stop for is done before it — the compiled queries, the grids and services a report needs, the page templates
and the tables of view addresses in each language — and a template that does not compile leaves
the server starting."""
import subprocess
import sys
import textwrap

import pytest

from lifecircle import caching, compiled_queries, startup
from lifecircle.accounts import attention
from lifecircle.accounts.models import Resident
from lifecircle.accounts.testing import make_household, make_resident
from lifecircle.community.models import Compound
from lifecircle.community.packs import load_pack
from lifecircle.community.tests.test_packs import MINI
from lifecircle.requests311 import defaults, intake, lifecycle
from lifecircle.requests311.models import Service
from lifecircle.requests311.wire import ErrorList
from lifecircle.tests.test_production import PROJECT, production_env


@pytest.mark.django_db
def test_every_compiled_query_is_compiled_before_its_first_run():
    builds = []
    query = compiled_queries.CompiledQuery(
        lambda household: builds.append(household) or Resident.objects.filter(household_id=household))
    assert compiled_queries.compile_every() >= 1
    assert len(builds) == 2  # its two compilations, with made-up ids
    assert list(query.objects(household=1)) == []
    assert len(builds) == 2  # the run bound its id to the SQL compiled at start-up


@pytest.mark.django_db
def test_a_residents_first_home_page_compiles_no_attention_probe(monkeypatch):
    load_pack(MINI)
    resident = make_resident(make_household(Compound.objects.get(code="a")))
    attention._compiled_probes.cache_clear()  # as in a new worker
    attention.prepare()
    compilations = []

    def compile_now(query, using):
        compilations.append(query)
        raise AssertionError("compiled on the first page")  # (the page then asks the ORM: it still works)

    monkeypatch.setattr(compiled_queries.CompiledQuery, "_compile", compile_now)
    assert attention.gather(resident, resident.user) == []
    assert compilations == []


@pytest.mark.django_db
def test_a_workers_first_report_finds_its_grid_and_service_without_the_database(django_assert_num_queries):
    load_pack(MINI)
    defaults.install()
    caching.bump("directory", "open311-services")  # (loading may have kept them already: as a new worker, not)
    assert lifecycle.prepare_worker() == 2
    assert intake.prepare_worker() >= 1
    code = Service.objects.filter(active=True).values_list("service_code", flat=True).first()
    with django_assert_num_queries(0):
        assert lifecycle.find_grid(121.4420, 31.2330).code == "west"
        assert intake.find_service(code, ErrorList()).service_code == code


def test_after_start_up_no_page_template_is_read_and_no_address_table_built(tmp_path):
    """In a worker just started (a process of its own: this one has long compiled what it uses),
    every page template comes compiled and every view's address, in each language, from tables
    already built."""
    script = textwrap.dedent("""
        import lifecircle.wsgi
        from django.conf import settings
        from django.template import engines
        from django.template.loaders.filesystem import Loader
        from django.urls import reverse
        from django.urls.resolvers import URLResolver
        from django.utils import translation

        def refuse(*args, **kwargs):
            raise AssertionError("read or built after start-up")

        Loader.get_contents = URLResolver._populate = refuse
        engine = engines["django"]
        names = [name for name, _ in lifecircle.startup.page_templates(engine)]
        for name in names:
            engine.get_template(name)
        for code, _ in settings.LANGUAGES:
            with translation.override(code):
                print(reverse("map"), reverse("admin:index"), reverse("requests311:mine"))
        print(len(names), "templates")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, env=production_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "compiled 1" in done.stderr and " page templates and the addresses of every view" in done.stderr
    *addresses, count = done.stdout.splitlines()
    assert len(addresses) == 2 and int(count.split()[0]) > 100


def test_a_template_that_does_not_compile_leaves_the_worker_starting(tmp_path, settings, caplog):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "broken.html").write_text("{% if %}", encoding="utf-8")
    (folder / "fine.html").write_text("{{ fine }}", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [folder],
                           "APP_DIRS": True}]  # the apps' folders lie outside BASE_DIR now: left alone
    with caplog.at_level("INFO", logger="lifecircle.wsgi"):
        startup.compile_pages()
    assert "broken.html does not compile" in caplog.text
    assert "compiled 1 page templates" in caplog.text
