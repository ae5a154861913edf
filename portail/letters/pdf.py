"""HTML to PDF on the server, with WeasyPrint.

WeasyPrint lays text out with pango and needs fonts on the machine: the
letters' stylesheet asks for DejaVu Sans, which ``.ci/setup-letters.sh``
installs (Debian's ``fonts-dejavu-core``) for ``make run`` and ``make
test``.  Nothing is fetched: the logo is embedded as a ``data:`` URI, a
letter links to nothing else, and the URL fetcher allows ``data:`` URIs
only; a resource that cannot be read fails the letter instead of leaving a
hole in it.
"""


def html_to_pdf(html):
    """The PDF bytes of ``html``."""
    from weasyprint import HTML  # imported on first use: it loads pango
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=('data',), fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
