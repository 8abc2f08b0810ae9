"""Narrow screens: nothing overflows, no word is cut without a hyphen, the channel menu
shows that it scrolls."""

from __future__ import annotations

import base64

import pytest

from tests.e2e.browser import NewPage, Page

# One page of each kind, in Polish and in English. The tag and the channel hold
# the sample's longest headline word, "cyberbezpieczeństwo".
PAGES = [
    pytest.param("/", id="front-pl"),
    pytest.param("/en/", id="front-en"),
    pytest.param("/news/polityka-phishing.html", id="article-pl"),
    pytest.param("/en/news/polityka-phishing.html", id="article-en"),
    pytest.param("/news/fotowoltaika-gdansk.html", id="article-pl-long-words"),
    pytest.param("/channel/it.html", id="channel-pl"),
    pytest.param("/en/channel/it.html", id="channel-en"),
    pytest.param("/tag/cyberbezpieczenstwo.html", id="tag-pl"),
    pytest.param("/en/tag/cyberbezpieczenstwo.html", id="tag-en"),
    pytest.param("/author/marek-kaczmarek.html", id="author-pl"),
    pytest.param("/en/author/marek-kaczmarek.html", id="author-en"),
    pytest.param("/archives.html", id="archive-pl"),
    pytest.param("/en/archives.html", id="archive-en"),
    pytest.param("/pages/commenting-guidelines.html", id="page-pl"),
    pytest.param("/en/pages/commenting-guidelines.html", id="page-en"),
    pytest.param("/nie-ma-takiej-strony.html", id="404"),
]
WIDTHS = [320, 375]
HEADLINES = "main :is(h1, h2, h3, h4), .k-teaser-title"

# Whether this browser hyphenates Polish and English: a word that cannot fit
# its box breaks only at a hyphenation point when nothing else may break it.
HYPHENATES = """() => ['pl', 'en'].every(lang => {
  const box = document.createElement('div');
  box.lang = lang;
  box.style.cssText = 'width: 4em; hyphens: auto; overflow-wrap: normal; word-break: normal';
  box.textContent = lang === 'pl' ? 'cyberbezpieczeństwo' : 'internationalization';
  document.body.append(box);
  const range = document.createRange();
  range.selectNodeContents(box);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
  box.remove();
  return lines.size > 1;
})"""

# Every word (a run of letters and digits) of the page's text outside the
# comment widget and code that the layout splits over two lines, with how
# the element around it is set: hyphens, and the language it resolves to.
SPLIT_WORDS = """() => {
  const skip = '#comments, pre, code, .k-visually-hidden, [hidden]';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const split = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest(skip) || !element.getClientRects().length) continue;
    for (const match of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const lines = new Set(rects.map(r => Math.round(r.top)));
      if (lines.size > 1) {
        split.push({
          word: match[0],
          where: element.tagName.toLowerCase() + '.' + [...element.classList].join('.'),
          hyphens: getComputedStyle(element).hyphens,
          lang: element.closest('[lang]')?.lang ?? '',
        });
      }
    }
  }
  return split;
}"""

# The menu's text area (without its scroll bar) and background colour.
MENU_BOX = """list => {
  const rect = list.getBoundingClientRect();
  const background = getComputedStyle(list.closest('.k-nav')).backgroundColor;
  return {
    right: rect.left + list.clientLeft + list.clientWidth,
    top: rect.top + list.clientTop,
    height: list.clientHeight,
    background: background.match(/\\d+/g).slice(0, 3).map(Number),
  };
}"""
EDGE = 12  # px: the strip at the menu's edge that must show no sharp text
FADED = 64  # the most a colour channel of a faded-out letter may differ from the background

# The largest difference, in any colour channel, between a pixel of a PNG and a colour.
INK = """async ([png, background]) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  let most = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    for (let c = 0; c < 3; c++) most = Math.max(most, Math.abs(pixels[i + c] - background[c]));
  }
  return most;
}"""


def _open(new_page: NewPage, path: str, width: int, **options) -> Page:
    page = new_page(viewport={"width": width, "height": 800}, **options)
    page.goto(path)
    return page


def _ink(page: Page, clip: dict, background: list[int]) -> int:
    """How far the drawn pixels of `clip` stand out from `background` (0: not at all)."""
    png = base64.b64encode(page.screenshot(clip=clip)).decode()
    return page.evaluate(INK, [png, background])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_layout_narrow_screen_neither_overflows_nor_cuts_words(
    new_page: NewPage, path: str, width: int
):
    page = _open(new_page, path, width)
    overflow = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"{path} at {width} px is {overflow[0]} px wide"

    # A word may continue on the next line only where the browser hyphenates
    # it (and so draws a hyphen); this Chromium may have no dictionaries, and
    # then no word may be split at all.
    hyphenates = page.evaluate(HYPHENATES)
    cut = [
        f"{w['word']!r} in {w['where']} (hyphens: {w['hyphens']}, lang: {w['lang']!r})"
        for w in page.evaluate(SPLIT_WORDS)
        if not (hyphenates and w["hyphens"] == "auto" and w["lang"] in ("pl", "en"))
    ]
    assert cut == [], f"{path} at {width} px cuts words without a hyphen:\n" + "\n".join(cut)


@pytest.mark.parametrize("path", PAGES)
def test_layout_headlines_hyphenate_in_the_page_language(new_page: NewPage, path: str):
    page = _open(new_page, path, 375)
    headlines = page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
           .filter(h => !h.closest('#comments'))
           .map(h => ({
             text: h.textContent.trim().slice(0, 40),
             hyphens: getComputedStyle(h).hyphens,
             lang: h.closest('[lang]')?.lang ?? '',
           }))""",
        HEADLINES,
    )
    assert headlines
    wrong = [h for h in headlines if h["hyphens"] != "auto" or h["lang"] not in ("pl", "en")]
    assert wrong == []


@pytest.mark.parametrize("path, scheme", [("/", "light"), ("/en/channel/it.html", "dark")])
def test_layout_channel_menu_fades_at_the_edge_it_scrolls_past(
    new_page: NewPage, path: str, scheme: str
):
    page = _open(new_page, path, 375, color_scheme=scheme)
    menu = page.locator(".k-nav-list")
    assert menu.evaluate("list => list.scrollWidth > list.clientWidth"), "the menu fits at 375 px"
    box = menu.evaluate(MENU_BOX)
    edge = {"x": box["right"] - EDGE, "y": box["top"], "width": EDGE, "height": box["height"]}
    cut = menu.evaluate(
        "list => [...list.querySelectorAll('a')].some(a => "
        "a.getBoundingClientRect().right > list.getBoundingClientRect().right)"
    )
    assert cut, "no link runs past the menu's edge"
    # The link running past the edge fades out instead of ending in a cut letter.
    assert _ink(page, edge, box["background"]) <= FADED

    # Scrolled to its end, the last link stands in full, clear of the fade.
    last = menu.evaluate(
        """list => {
             list.scrollLeft = list.scrollWidth;
             const range = document.createRange();
             range.selectNodeContents(list.lastElementChild.querySelector('a'));
             return range.getBoundingClientRect().right;
           }"""
    )
    assert last <= box["right"] - EDGE
    assert _ink(page, edge, box["background"]) <= FADED
    text_end = {"x": last - EDGE, "y": box["top"], "width": EDGE, "height": box["height"]}
    assert _ink(page, text_end, box["background"]) > 2 * FADED
