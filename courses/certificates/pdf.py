"""Certificate PDFs: one A4 landscape page with what a reader needs, and a QR code that links to
the public verification page. Pure Python (fpdf2, segno); the font ships with the app."""

import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF

from courses import conf

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVuSans"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

PAGE_WIDTH, PAGE_HEIGHT = 297, 210  # A4 landscape, in mm
MARGIN = 30
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
PT = 25.4 / 72  # one point in mm
LINE_SPACING = 1.2
QR_SIZE = 34  # mm, quiet zone included
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
QR_PIXELS_PER_MODULE = 8

BRAND = (29, 53, 87)
INK = (27, 31, 36)
MUTED = (80, 90, 100)


def issuer_name():
    """The organisation named as issuer on certificates and Open Badges."""
    return conf.certificate_issuer_name()


@cache
def text_shaping_available():
    """True when uharfbuzz is installed, so Arabic and other joined scripts are shaped."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


@cache
def font_coverage():
    """The code points that every bundled font style can draw."""
    from fontTools.ttLib import TTFont

    maps = [set(TTFont(FONT_DIR / name, lazy=True).getBestCmap()) for name in FONT_FILES.values()]
    return frozenset(set.intersection(*maps))


def missing_characters(*texts):
    """The characters, in order of appearance, that the bundled font cannot draw (spaces and
    invisible joiners aside): a PDF would silently leave them out."""
    covered = font_coverage()
    missing = {
        char: None
        for text in texts
        for char in text
        if ord(char) not in covered and not char.isspace() and unicodedata.category(char) != "Cf"
    }
    return list(missing)


def verification_qr(url):
    """The QR code for a verification URL (error correction M survives a worn print)."""
    return segno.make_qr(url, error="m")


def qr_png(qr):
    """The QR code as a black-on-white PNG, quiet zone included."""
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=QR_PIXELS_PER_MODULE, border=QR_BORDER)
    return buffer.getvalue()


def local_date(moment):
    return date_format(timezone.localtime(moment), "j F Y")


@dataclass
class FittedText:
    """Text laid out to fit a box: the font size (pt), its lines and their height (mm)."""

    size: float
    lines: list
    line_height: float

    @property
    def height(self):
        return self.line_height * len(self.lines)


def _lines(pdf, text, width, size, style):
    pdf.set_font(FONT_FAMILY, style, size)
    return pdf.multi_cell(width, size * PT, text, dry_run=True, output="LINES")


def fit_text(pdf, text, *, width, max_height, max_size, min_size, style=""):
    """The largest size at which text fits the box: on one line if it stays readable, else
    wrapped at spaces (breaking a word only if nothing else fits). Never drops a character."""
    sizes = [max_size - step for step in range(int(max_size - min_size) + 1)]
    one_line_floor = max(min_size, max_size * 0.6)
    for size in sizes:
        if size < one_line_floor:
            break
        pdf.set_font(FONT_FAMILY, style, size)
        if pdf.get_string_width(text) <= width:
            return FittedText(size, [text], size * PT * LINE_SPACING)
    for may_break_words in (False, True):
        for size in sizes:
            pdf.set_font(FONT_FAMILY, style, size)
            if not may_break_words and any(
                pdf.get_string_width(word) > width for word in text.split()
            ):
                continue
            lines = _lines(pdf, text, width, size, style)
            if len(lines) * size * PT * LINE_SPACING <= max_height:
                return FittedText(size, lines, size * PT * LINE_SPACING)
    size = sizes[-1]
    return FittedText(size, _lines(pdf, text, width, size, style), size * PT * LINE_SPACING)


class CertificatePDF(FPDF):
    """An FPDF document with the bundled Unicode font loaded."""

    def __init__(self):
        super().__init__(orientation="L", unit="mm", format="A4")
        for style, filename in FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, FONT_DIR / filename)
        if text_shaping_available():
            self.set_text_shaping(True)
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)

    def centred(self, text, y, size, *, style="", colour=INK, width=TEXT_WIDTH):
        """One line of centred text, shrunk if needed so that it fits."""
        fitted = fit_text(
            self,
            text,
            width=width,
            max_height=size * PT * LINE_SPACING * 2,
            max_size=size,
            min_size=min(size, 7),
            style=style,
        )
        return self.block(fitted, y, style=style, colour=colour, width=width)

    def block(self, fitted, y, *, style="", colour=INK, width=TEXT_WIDTH, x=None):
        """Draw fitted lines from y, centred on the page (or left-aligned at x). Returns the
        y below the block."""
        self.set_font(FONT_FAMILY, style, fitted.size)
        self.set_text_color(*colour)
        for line in fitted.lines:
            self.set_xy(MARGIN if x is None else x, y)
            self.cell(width, fitted.line_height, line, align="C" if x is None else "L")
            y += fitted.line_height
        return y


def render_certificate_pdf(certificate, verify_url, *, issuer=None):
    """The certificate as PDF bytes, its words in the certificate's language whatever the
    language of the request. verify_url is the absolute public verification link."""
    with translation.override(certificate.language):
        return _render(certificate, verify_url, issuer=issuer)


def _render(certificate, verify_url, *, issuer=None):
    issuer = issuer or issuer_name()
    name = certificate.name_on_certificate or _("(name withheld: the holder deleted their account)")
    pdf = CertificatePDF()
    title = _("Certificate of completion")
    pdf.set_title(f"{title}: {certificate.course_title}")
    pdf.set_author(issuer)
    pdf.set_creator(issuer)
    pdf.set_subject(
        _("%(name)s completed %(course)s") % {"name": name, "course": certificate.course_title}
    )
    pdf.set_keywords(certificate.display_code)
    pdf.set_lang(get_language() or settings.LANGUAGE_CODE)
    pdf.add_page()

    # A double frame, as on the HTML certificate.
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.4)
    pdf.rect(9, 9, PAGE_WIDTH - 18, PAGE_HEIGHT - 18)
    pdf.set_line_width(0.4)
    pdf.rect(12.5, 12.5, PAGE_WIDTH - 25, PAGE_HEIGHT - 25)

    pdf.centred(issuer, 22, 14, style="B", colour=BRAND)
    pdf.centred(title, 33, 28, style="B", colour=BRAND)
    pdf.centred(_("This certifies that"), 51, 13, colour=MUTED)

    # The name: as large as fits in its box, never cut.
    name_box_top, name_box_height = 60, 30
    fitted = fit_text(
        pdf,
        name,
        width=TEXT_WIDTH,
        max_height=name_box_height,
        max_size=30,
        min_size=11,
        style="B",
    )
    top = name_box_top + max(0, (name_box_height - fitted.height) / 2)
    pdf.block(fitted, top, style="B")

    pdf.centred(_("has completed the course"), 93, 13, colour=MUTED)

    course_box_top, course_box_height = 102, 24
    fitted = fit_text(
        pdf,
        certificate.course_title,
        width=TEXT_WIDTH,
        max_height=course_box_height,
        max_size=20,
        min_size=10,
        style="B",
    )
    top = course_box_top + max(0, (course_box_height - fitted.height) / 2)
    pdf.block(fitted, top, style="B")

    dates = {"issued": local_date(certificate.issued_at)}
    if certificate.expires_at:
        dates["expires"] = local_date(certificate.expires_at)
        line = _("Issued %(issued)s. Valid until %(expires)s.") % dates
    else:
        line = _("Issued %(issued)s. Does not expire.") % dates
    pdf.centred(line, 131, 12)
    if certificate.jurisdiction_name:
        where = _("Jurisdiction: %(name)s") % {"name": certificate.jurisdiction_name}
        pdf.centred(where, 139, 11, colour=MUTED)

    # Bottom: the code and where to check it on the left, the QR code on the right.
    qr_x, qr_y = PAGE_WIDTH - 18 - QR_SIZE, PAGE_HEIGHT - 20 - QR_SIZE
    left, left_width = 24, qr_x - 24 - 8
    y = 152
    label = FittedText(9, [_("Certificate code")], 9 * PT * LINE_SPACING)
    y = pdf.block(label, y, colour=MUTED, width=left_width, x=left)
    code = fit_text(
        pdf,
        certificate.display_code,
        width=left_width,
        max_height=10,
        max_size=16,
        min_size=9,
        style="B",
    )
    y = pdf.block(code, y + 0.5, style="B", width=left_width, x=left) + 2.5
    check = fit_text(
        pdf,
        _("Anyone can check that this certificate is valid at"),
        width=left_width,
        max_height=10,
        max_size=9,
        min_size=7,
    )
    y = pdf.block(check, y, colour=MUTED, width=left_width, x=left)
    link = fit_text(pdf, verify_url, width=left_width, max_height=12, max_size=9, min_size=6)
    pdf.set_font(FONT_FAMILY, "", link.size)
    pdf.set_text_color(*BRAND)
    for line in link.lines:
        pdf.set_xy(left, y)
        pdf.cell(left_width, link.line_height, line, align="L", link=verify_url)
        y += link.line_height

    pdf.image(
        io.BytesIO(qr_png(verification_qr(verify_url))),
        x=qr_x,
        y=qr_y,
        w=QR_SIZE,
        h=QR_SIZE,
        link=verify_url,
        alt_text=_("QR code linking to %(url)s") % {"url": verify_url},
    )
    pdf.set_font(FONT_FAMILY, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(qr_x, qr_y + QR_SIZE)
    pdf.cell(QR_SIZE, 4, _("Scan to check"), align="C")
    return bytes(pdf.output())
