"""A generated, deterministic news corpus shaped like Kurier's content/ folder.

Stories are Markdown with Kurier's front matter under `news/<year>/`, about a
fifth of them translated into English (`<slug>.en.md`), a couple of pages under
`pages/` and a handful of SVG images under `images/`. The text is Polish-like
word salad: the build cost depends on its size and structure, not its sense.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SEED = 20261127
# Fixed dates keep the corpus identical from run to run; they end in the past
# so that Kurier (WITH_FUTURE_DATES = False) publishes every story.
LAST_DATE = datetime(2026, 10, 30, 16, 0)
SPAN = timedelta(days=3 * 365)
TRANSLATED_SHARE = 0.2
TAG_COUNT = 80
IMAGE_COUNT = 6


def _words(text: str) -> list[str]:
    return text.split()


POLISH_WORDS = _words("""
firma zespół pracownik oddział magazyn dostawa klient projekt spotkanie
szkolenie bezpieczeństwo system sieć hasło dane raport wynik plan budżet kwartał
rok miesiąc tydzień dzień praca biuro hala ciężarówka kierowca trasa paleta
towar zamówienie faktura umowa polityka zasada procedura zmiana wdrożenie
aplikacja telefon komputer drukarka serwer kopia wsparcie pomoc zgłoszenie
problem rozwiązanie pytanie odpowiedź decyzja zarząd prezes dyrektor kierownik
lider koordynator specjalista stażysta rekrutacja benefit karta pakiet
medyczny sportowy urlop premia nagroda konkurs wolontariat akcja zbiórka
charytatywny ekologiczny energia prąd woda odpady recykling emisja rower
parking stołówka kawa herbata przerwa grafik zmiana noc poranek wieczór
nowy stary duży mały ważny pilny wspólny lokalny krajowy europejski cyfrowy
bezpieczny szybki prosty otwarty zielony czysty zdrowy aktywny nasz wasz
każdy kolejny ostatni pierwszy drugi trzeci wielki dobry lepszy najlepszy
zaprasza ogłasza przypomina informuje dziękuje gratuluje startuje kończy
zmienia wprowadza otwiera zamyka buduje rozwija testuje sprawdza planuje
wspiera łączy dzieli poprawia zwiększa zmniejsza oszczędza wygrywa zdobywa
dla przez przy pod nad przed między wśród oraz także również już jeszcze
bardzo dzisiaj jutro wczoraj wkrótce teraz zawsze często rzadko razem
Wrocław Poznań Gdańsk Łódź Kraków Katowice Szczecin Lublin Rzeszów Olsztyn
""")

ENGLISH_WORDS = _words("""
company team employee site warehouse delivery customer project meeting
training safety system network password data report result plan budget
quarter year month week day work office hall truck driver route pallet goods
order invoice contract policy rule procedure change rollout application phone
computer printer server backup support help ticket problem solution question
answer decision board director manager leader specialist intern hiring
benefit card package medical sports leave bonus award contest volunteering
campaign charity green energy power water waste recycling emission bike
parking canteen coffee tea break schedule shift night morning evening new old
big small important urgent shared local national european digital secure
fast simple open clean healthy active our your every next last first second
third great good better best invites announces reminds informs thanks
congratulates starts ends changes introduces opens closes builds grows tests
checks plans supports joins improves increases reduces saves wins with for
through at under over before between among and also already still very today
tomorrow yesterday soon now always often rarely together
""")

AUTHORS = """Anna Nowak, Piotr Kowalski, Katarzyna Wiśniewska, Tomasz Wójcik,
Magdalena Kowalczyk, Michał Kamiński, Agnieszka Lewandowska, Paweł Zieliński,
Joanna Szymańska, Krzysztof Woźniak, Monika Dąbrowska, Marcin Kozłowski,
Aleksandra Jankowska, Łukasz Mazur, Ewa Kwiatkowska, Jakub Krawczyk,
Karolina Piotrowska, Grzegorz Grabowski, Natalia Nowakowska, Wojciech Pawłowski,
Zofia Michalska, Bartosz Król, Małgorzata Wieczorek, Adam Jabłoński,
Julia Wróbel""".replace("\n", " ").split(", ")

_ASCII = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


@dataclass(frozen=True)
class Corpus:
    """Where a generated corpus is and what it holds."""

    path: Path
    stories: int
    translations: int
    pages: int
    words: int

    @property
    def files(self) -> int:
        return self.stories + self.translations + self.pages


@dataclass
class _Story:
    slug: str
    date: datetime
    channel: tuple[str, ...]
    tags: list[str]
    authors: list[str]
    translated: bool
    title: str = ""

    @property
    def path(self) -> str:
        return f"news/{self.date.year}/{self.slug}.md"


def slugify(text: str) -> str:
    """An ASCII slug, as a writer would type it into Slug:."""
    ascii_text = text.translate(_ASCII).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


class _Text:
    """Sentences, paragraphs and blocks of Markdown from one word list."""

    def __init__(self, rng: random.Random, words: list[str]):
        self.rng = rng
        self.words = words

    def phrase(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(self.words, k=self.rng.randint(low, high)))

    def sentence(self) -> str:
        text = self.phrase(6, 16)
        return text[0].upper() + text[1:] + self.rng.choice("....!?")

    def title(self) -> str:
        text = self.phrase(4, 9)
        return text[0].upper() + text[1:]

    def paragraph(self, links: list[tuple[str, str]]) -> str:
        sentences = [self.sentence() for _ in range(self.rng.randint(3, 7))]
        if self.rng.random() < 0.5:
            words = sentences[0].split(" ")
            at = self.rng.randrange(len(words))
            words[at] = f"**{words[at]}**"
            sentences[0] = " ".join(words)
        if links and self.rng.random() < 0.35:
            label, target = self.rng.choice(links)
            sentences.append(f"Więcej: [{label}]({target}).")
        return " ".join(sentences)

    def listing(self) -> str:
        marker = self.rng.choice(["-", "1."])
        items = [self.phrase(3, 9) for _ in range(self.rng.randint(3, 6))]
        return "\n".join(f"{marker} {item}" for item in items)


def _stories(rng: random.Random, count: int, channels: list[tuple[str, ...]]):
    tags = sorted({word.lower() for word in POLISH_WORDS[:150]})
    tag_pool = rng.sample(tags, TAG_COUNT)
    start = LAST_DATE - SPAN
    stories = []
    for index in range(count):
        offset = SPAN * (index / max(1, count - 1))
        date = start + offset + timedelta(minutes=rng.randint(0, 600))
        date = min(date, LAST_DATE).replace(second=0, microsecond=0)
        stories.append(
            _Story(
                slug=f"{index:04d}",  # the title is added to it when written
                date=date,
                channel=rng.choice(channels),
                tags=rng.sample(tag_pool, rng.randint(2, 4)),
                authors=rng.sample(AUTHORS, rng.choice([1, 1, 1, 2])),
                translated=rng.random() < TRANSLATED_SHARE,
            )
        )
    return stories


def _front_matter(fields: dict[str, str]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value)


def _body(text: _Text, words: int, links: list[tuple[str, str]], images: int) -> str:
    rng = text.rng
    blocks = [text.paragraph(links)]
    pictures = rng.sample(range(IMAGE_COUNT), images)
    while sum(len(block.split()) for block in blocks) < words:
        roll = rng.random()
        if blocks[-1].startswith("#"):  # a heading is followed by text
            roll = 1.0
        if roll < 0.15:
            blocks.append(f"## {text.title()}")
        elif roll < 0.22:
            blocks.append(f"### {text.title()}")
        elif roll < 0.34:
            blocks.append(text.listing())
        elif roll < 0.40:
            blocks.append(f"> {text.sentence()} {text.sentence()}\n>\n> — {text.title()}")
        elif roll < 0.46 and pictures:
            number = pictures.pop()
            blocks.append(f"![{text.phrase(3, 6)}]({{static}}/images/ilustracja-{number}.svg)")
        else:
            blocks.append(text.paragraph(links))
    return "\n\n".join(blocks) + "\n"


def _svg(number: int) -> str:
    hue = number * 55 % 360
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" '
        'viewBox="0 0 800 450">'
        f'<rect width="800" height="450" fill="hsl({hue}, 45%, 55%)"/>'
        f'<circle cx="400" cy="225" r="{80 + number * 15}" '
        f'fill="hsl({hue}, 45%, 80%)"/>'
        f'<text x="40" y="420" font-size="32" fill="#fff">Ilustracja {number}</text>'
        "</svg>\n"
    )


def _write_pages(root: Path) -> int:
    pages = {
        "o-kurierze": ("O Kurierze", "About Kurier"),
        "kontakt": ("Kontakt z redakcją", "Contact the newsroom"),
    }
    written = 0
    for slug, (polish, english) in pages.items():
        for suffix, title, lang in (("", polish, "pl"), (".en", english, "en")):
            fields = {"Title": title, "Slug": slug, "Lang": lang}
            body = f"{title}. Redakcja: komunikacja@korona.example.\n"
            (root / "pages" / f"{slug}{suffix}.md").write_text(
                _front_matter(fields) + "\n" + body, encoding="utf-8"
            )
            written += 1
    return written


def write_corpus(root: Path, stories: int, channels: list[tuple[str, ...]]) -> Corpus:
    """Write a corpus of `stories` stories into `root` (which must not exist).

    `channels` are the channel names per language, as in pelicanconf.CHANNELS.
    """
    rng = random.Random(SEED)
    polish, english = _Text(rng, POLISH_WORDS), _Text(rng, ENGLISH_WORDS)
    for folder in ("news", "pages", "images", "extra"):
        (root / folder).mkdir(parents=True)
    for number in range(IMAGE_COUNT):
        (root / "images" / f"ilustracja-{number}.svg").write_text(_svg(number))
    (root / "extra" / "robots.txt").write_text("User-agent: *\nDisallow: /\n")

    plan = _stories(rng, stories, channels)
    for story in plan:
        story.title = polish.title()
        story.slug = f"{slugify(story.title)[:60].rstrip('-')}-{story.slug}"
    links = [
        ("intranet", "https://intranet.korona.example/"),
        ("wniosek", "https://intranet.korona.example/wnioski/urlop"),
        ("O Kurierze", "{filename}/pages/o-kurierze.md"),
    ]
    words = translations = 0
    for index, story in enumerate(plan):
        # Links to earlier stories resolve through Pelican's {filename} syntax.
        earlier = [(other.title, f"{{filename}}/{other.path}") for other in plan[:index]]
        story_links = links + rng.sample(earlier, min(3, len(earlier)))
        length = rng.randint(400, 900)
        images = rng.choice([0, 0, 1, 1, 2])
        flags = {
            "Pinned": "yes" if rng.random() < 0.01 else "",
            "MustRead": "yes" if rng.random() < 0.03 else "",
            "Expires": (story.date + timedelta(days=rng.choice([14, 3000]))).strftime(
                "%Y-%m-%d %H:%M"
            )
            if rng.random() < 0.03
            else "",
            "Image": f"images/ilustracja-{index % IMAGE_COUNT}.svg" if rng.random() < 0.3 else "",
        }
        if flags["Image"]:
            flags["ImageAlt"] = polish.phrase(3, 6)
        versions = [("", polish, story.title, "pl", 0)]
        if story.translated:
            versions.append((".en", english, english.title(), "en", 1))
            translations += 1
        folder = root / "news" / str(story.date.year)
        folder.mkdir(exist_ok=True)
        for suffix, text, title, lang, name_index in versions:
            fields = {
                "Title": title,
                "Date": story.date.strftime("%Y-%m-%d %H:%M"),
                "Category": story.channel[name_index],
                "Tags": ", ".join(story.tags),
                "Authors": ", ".join(story.authors),
                "Summary": text.sentence(),
                "Slug": story.slug,
                "Lang": lang,
                **flags,
            }
            body = _body(text, length, story_links, images)
            words += len(body.split())
            (folder / f"{story.slug}{suffix}.md").write_text(
                _front_matter(fields) + "\n" + body, encoding="utf-8"
            )
    pages = _write_pages(root)
    return Corpus(root, stories, translations, pages, words)
