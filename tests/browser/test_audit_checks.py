"""The audits can fail: a page spoiled on purpose is caught by each check
(axe, reflow, console/CSP), so their silence on the real pages means something."""
import pytest

SPOIL_AXE = """() => {
  const img = document.createElement('img');
  img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
  document.querySelector('main').append(img);   // an image without alt: critical
}"""
SPOIL_REFLOW = """() => {
  const wide = document.createElement('p');
  wide.style.width = '500px';
  wide.textContent = 'x';
  document.querySelector('main').append(wide);
}"""
INLINE_SCRIPT = """() => {
  const script = document.createElement('script');
  script.textContent = 'window.inlineRan = true';
  document.head.append(script);
  return window.inlineRan === true;
}"""


def test_axe_catches_an_image_without_alternative(open_browser, auditor):
    me = open_browser()
    page = me.goto('/login')
    page.evaluate(SPOIL_AXE)
    with pytest.raises(AssertionError, match='image-alt'):
        auditor.audit(page)


def test_reflow_catches_a_page_wider_than_320_px(open_browser, auditor):
    me = open_browser()
    page = me.goto('/notice')
    page.evaluate(SPOIL_REFLOW)
    with pytest.raises(AssertionError, match='scrolls horizontally at 320 CSS px'):
        auditor.audit(page)
    assert page.viewport_size == {'width': 1280, 'height': 800}  # restored


def test_the_console_check_sees_a_csp_violation(open_browser):
    me = open_browser()
    page = me.goto('/login')
    assert page.evaluate(INLINE_SCRIPT) is False  # the CSP refused to run it
    page.wait_for_timeout(200)
    assert any('Content Security Policy' in error for error in me.errors), me.errors
    me.errors.clear()  # seen: the journey's own check stays for the rest
