"""The demo editions as readers' phones and desktops show them, light and dark.

Each email (English and Korean, the full edition and a one-section variant) is opened in
Debian's chromium at 320, 375 and 600 px, with ``prefers-color-scheme`` light and dark, and
checked from what the browser computed: no sideways scroll, every visible text at 4.5:1 or
more against the background behind it, headings h1 > h2 > h3 without gaps, and every link at
least 44 px tall. Screenshots go to test-artifacts/ (email-<list>-<variant>-<width>-<scheme>,
and the first screens at 375 px as ...-top.png, the source of docs/email/).
The list's logo and the top story's image are served from tests/fixtures/email/.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from digest.collect import collect
from digest.compose import compose, edition_view
from digest.demo import ARTICLES_DIR, DEMO_DAY, load_demo
from digest.render import PREVIEW_VALUES, personalize, render_variant
from digest.sources import FolderSource
from subscribers.models import MailingList

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "email"
IMAGES = "https://img.example.test/"
WIDTHS = (320, 375, 600)

# Runs in the page: what the reader would meet, measured from computed styles.
AUDIT = """
() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.opacity !== "0";
  };
  const low = [];
  for (const el of document.body.querySelectorAll("*")) {
    const text = [...el.childNodes].filter((n) => n.nodeType === 3)
      .map((n) => n.textContent).join("").trim();
    if (!text || !visible(el) || el.closest(".preheader")) continue;
    const fg = parse(getComputedStyle(el).color).slice(0, 3);
    const r = ratio(fg, background(el));
    if (r < 4.5) low.push(`${r.toFixed(2)} ${el.tagName} "${text.slice(0, 40)}"`);
  }
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .filter(visible).map((h) => Number(h.tagName[1]));
  const small = [...document.querySelectorAll("a")].filter(visible)
    .map((a) => [a.getBoundingClientRect().height, a.textContent.trim().slice(0, 40)])
    .filter(([h]) => h < 44).map(([h, t]) => `${h.toFixed(1)} px "${t}"`);
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    low, headings, small,
    images: [...document.images].map((i) => [i.naturalWidth, i.getBoundingClientRect().width]),
  };
}
"""


@pytest.fixture
def emails(settings):
    """The demo's English and Korean editions with a logo and a lead image, rendered as the
    full edition and as one section: {(slug, variant): html}."""
    settings.SITE_URL = "https://www.koreadailyus.com"
    load_demo()
    collect([("demo", FolderSource(ARTICLES_DIR), None)])
    out = {}
    for slug in ("morning-en", "morning-ko"):
        mailing_list = MailingList.objects.get(slug=slug)
        mailing_list.logo_url = f"{IMAGES}logo.svg"
        mailing_list.save()
        edition = compose(mailing_list, DEMO_DAY).edition
        top = edition.items.select_related("article").order_by("section__position", "position")[0]
        article = top.article
        article.image_url, article.image_width, article.image_height = (
            f"{IMAGES}lead.svg",
            1200,
            675,
        )
        article.image_alt = "Containers stacked at the port"
        article.save()
        view = edition_view(edition)
        for variant, sections in (("all", None), ("community", ("community",))):
            html, _ = personalize(render_variant(view, sections), PREVIEW_VALUES)
            out[(slug, variant)] = html
    return out


def _serve_fixtures(route) -> None:
    name = route.request.url.removeprefix(IMAGES)
    route.fulfill(path=str(FIXTURES / name), content_type="image/svg+xml")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_demo_emails_read_well_on_every_width(browser, emails, scheme):
    problems = []
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    for (slug, variant), html in emails.items():
        for width in WIDTHS:
            context = browser.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            page = context.new_page()
            page.route(f"{IMAGES}**", _serve_fixtures)
            page.route("https://www.koreadailyus.com/**", lambda route: route.abort())
            page.set_content(html, wait_until="load")
            found = page.evaluate(AUDIT)
            name = f"email-{slug}-{variant}-{width}-{scheme}"
            page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
            if width == 375 and variant == "all":  # the first screens, for README's gallery
                clip = {"x": 0, "y": 0, "width": width, "height": 1400}
                page.screenshot(path=str(artifacts / f"{name}-top.png"), clip=clip)
            context.close()
            where = f"{slug} {variant} {width}px {scheme}"
            if found["overflow"] > 0:
                problems.append(f"{where}: scrolls sideways by {found['overflow']} px")
            problems += [f"{where}: contrast {item}" for item in found["low"]]
            problems += [f"{where}: link {item}" for item in found["small"]]
            levels = found["headings"]
            if levels[:1] != [1] or levels.count(1) != 1:
                problems.append(f"{where}: headings do not start with one h1: {levels}")
            if any(b - a > 1 for a, b in itertools.pairwise(levels)):
                problems.append(f"{where}: a heading level is skipped: {levels}")
            if 2 not in levels or 3 not in levels:
                problems.append(f"{where}: no section (h2) or story (h3) headings: {levels}")
            loaded = found["images"]
            if variant == "all" and (len(loaded) != 2 or not all(n > 0 for n, _ in loaded)):
                problems.append(f"{where}: logo and lead image not both shown: {loaded}")
            if any(shown > width for _, shown in loaded):
                problems.append(f"{where}: an image is wider than the screen: {loaded}")
    assert not problems, "\n".join(problems)
