"""HTML to PDF on the server, with WeasyPrint.

WeasyPrint lays text out with pango and needs fonts on the machine: the
letters' stylesheet asks for DejaVu Sans, which ``.ci/setup-letters.sh``
installs (Debian's ``fonts-dejavu-core``) for ``make run`` and ``make
test``.  Nothing is fetched: the logo is embedded as a ``data:`` URI and a
letter links to nothing else, and the URL fetcher refuses any other URL.
"""


def _no_fetch(url, *args, **kw):
    if url.startswith('data:'):
        from weasyprint.urls import default_url_fetcher

        return default_url_fetcher(url, *args, **kw)
    raise ValueError('a letter fetches nothing but data: URIs')


def html_to_pdf(html):
    """The PDF bytes of ``html``."""
    from weasyprint import HTML  # imported on first use: it loads pango

    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
