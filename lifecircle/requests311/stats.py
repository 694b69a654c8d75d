"""How quickly each grid responds to and closes residents' requests.

For the requests made in a period, per grid:
- hours to acknowledge: from the request to staff first moving it on from "open";
- hours to close: from the request to its closing, for those closed now (a reopened request
  counts until it was closed again, because the need was met only then).
Median and mean, in hours, to one decimal; None where no request has reached that point.
Requests that no grid has (yet) are counted in a row of their own ("unrouted").
"""
import statistics

from lifecircle.community.models import Grid

from .models import ServiceRequest


def _hours(delta):
    return delta.total_seconds() / 3600


def _summary(values):
    if not values:
        return None, None
    return round(statistics.median(values), 1), round(statistics.fmean(values), 1)


def response_row(code, name, requests):
    """The response-time figures of ``requests`` (counts, median and mean hours to acknowledge and to
    close), labelled with a grid's ``code`` and ``name``; planning uses it for a whole sub-district."""
    acknowledge = [_hours(r.acknowledged_at - r.requested_at) for r in requests if r.acknowledged_at]
    close = [_hours(r.closed_at - r.requested_at) for r in requests
             if r.state == ServiceRequest.State.CLOSED and r.closed_at]
    ack_median, ack_mean = _summary(acknowledge)
    close_median, close_mean = _summary(close)
    return {
        "grid": code, "name": name, "requests": len(requests),
        "open": sum(r.state != ServiceRequest.State.CLOSED for r in requests),
        "acknowledged": len(acknowledge), "closed": len(close),
        "acknowledge_median_hours": ack_median, "acknowledge_mean_hours": ack_mean,
        "close_median_hours": close_median, "close_mean_hours": close_mean,
    }


def response_times(start, end, subdistrict=None):
    """One row per grid (every grid, even without requests), then "unrouted" when there are any."""
    requests = ServiceRequest.objects.filter(requested_at__gte=start, requested_at__lt=end).only(
        "grid_id", "state", "requested_at", "acknowledged_at", "closed_at")
    grids = Grid.objects.order_by("subdistrict__code", "code")
    if subdistrict is not None:
        grids = grids.filter(subdistrict=subdistrict)
        requests = requests.filter(grid__subdistrict=subdistrict) | requests.filter(grid__isnull=True)
    by_grid = {}
    for request in requests:
        by_grid.setdefault(request.grid_id, []).append(request)
    rows = [response_row(grid.code, grid.display_name, by_grid.get(grid.pk, [])) for grid in grids]
    if by_grid.get(None):
        rows.append(response_row(None, "", by_grid[None]))
    return rows


def subdistrict_summary(start, end, subdistrict):
    """The figures of one ``response_times`` row for a whole sub-district: the requests made from
    ``start`` to ``end`` that were routed to one of its grids."""
    requests = ServiceRequest.objects.filter(requested_at__gte=start, requested_at__lt=end,
                                             grid__subdistrict=subdistrict).only(
        "grid_id", "state", "requested_at", "acknowledged_at", "closed_at")
    return response_row(subdistrict.code, subdistrict.display_name, list(requests))
