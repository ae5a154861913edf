"""URLs of many children of one container, for listings of hundreds of rows.

``request.resource_url`` walks the lineage and queries adapters on every
call (about a quarter of a 200-row caseload page, measured by the bench);
a listing computes its container's URL once and appends each child's name.
"""
from pyramid.traversal import quote_path_segment


def child_url_maker(request, container):
    """Return ``url(*names)``: the URL of ``container[names[0]][names[1]]...``,
    as ``request.resource_url`` gives it (with the trailing slash)."""
    base = request.resource_url(container)

    def url(*names):
        return base + ''.join(quote_path_segment(name) + '/' for name in names)

    return url
