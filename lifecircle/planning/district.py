"""The district overview: every sub-district of the installation side by side.

For each sub-district: coverage of every category of the active standard (share of all residents
within the threshold, and how many are not), grouped by tier; the residents counted and those
living in a compound that lacks at least one service within its threshold; and residents'
requests of the period with their response and closing times. Figures are the same ones each
sub-district's own coverage page and dashboard show (accessibility.coverage.report,
requests311.stats), so the pages never disagree. Requests that no grid has are counted once, for
the district, since they belong to no sub-district yet.
"""
from django.db.models import Sum

from lifecircle.accessibility.coverage import report, standard_rows
from lifecircle.accessibility.views import percent  # rounded as each coverage page rounds it
from lifecircle.community.models import Compound, SubDistrict
from lifecircle.requests311.models import ServiceRequest
from lifecircle.requests311.stats import subdistrict_summary


def overview(start, end):
    """Columns (one per sub-district, by code), coverage rows grouped by tier, and unrouted requests."""
    std_rows = standard_rows()
    columns, whole = [], []
    for subdistrict in SubDistrict.objects.order_by("code"):
        result = report(subdistrict)
        # The whole sub-district comes last among the rows of a category, so it is the one kept.
        whole.append({row["category"]: row for row in result.rows if row["grid"] is None})
        lacking = {gap["compound"]: gap["population"] or 0 for gap in result.gaps}
        columns.append({
            "subdistrict": subdistrict, "computed": result.computed,
            "population": Compound.objects.filter(subdistrict=subdistrict).aggregate(n=Sum("population"))["n"] or 0,
            "compounds_lacking": len(lacking), "people_lacking": sum(lacking.values()),
            "requests": subdistrict_summary(start, end, subdistrict),
        })
    tiers = []
    for std in std_rows:
        if not tiers or tiers[-1]["minutes"] != std.tier_minutes:
            tiers.append({"minutes": std.tier_minutes, "rows": []})
        cells = []
        for by_category in whole:
            row = by_category.get(std.category.slug)
            if row is None or row["population_share"] is None:
                cells.append({"pct": None, "not_covered": None})
            else:
                cells.append({"pct": percent(row["population_share"]),
                              "not_covered": row["population"] - row["population_covered"]})
        tiers[-1]["rows"].append({"category": std.category, "threshold_m": std.threshold_m, "cells": cells})
    unrouted = ServiceRequest.objects.filter(requested_at__gte=start, requested_at__lt=end, grid__isnull=True).count()
    return {"columns": columns, "tiers": tiers, "unrouted": unrouted}
