"""Certificate PDFs: who may download them, and what the page says, for names in many scripts."""

import io
import re
from datetime import timedelta

import pytest
import segno
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from courses.certificates import pdf as certificate_pdf
from courses.certificates.pdf import (
    FONT_DIR,
    QR_BORDER,
    QR_PIXELS_PER_MODULE,
    TEXT_WIDTH,
    CertificatePDF,
    fit_text,
    missing_characters,
    render_certificate_pdf,
    verification_qr,
)
from courses.models import Certificate

pytestmark = pytest.mark.django_db

LONG_NAME = (
    "Maria Fernanda de los Ángeles Guadalupe Hernández-Castellanos Villaseñor de la Cruz "
    "Montenegro Álvarez-Quintanilla Ortiz"
)
ARABIC_NAME = "فاطمة الزهراء"
NAMES = ["Nokuthula Ngʼombo-Ramírez", "Łucja Żółć", "José Müller", LONG_NAME]


def make_certificate(user, course_page, **fields):
    fields.setdefault("name_on_certificate", "Nokuthula Ngʼombo-Ramírez")
    fields.setdefault("expires_at", timezone.now() + timedelta(days=730))
    return Certificate.objects.create(
        user=user, course=course_page, course_title=course_page.title, **fields
    )


def pdf_reader(content):
    return PdfReader(io.BytesIO(content))


def blank_page():
    pdf = CertificatePDF()
    pdf.add_page()
    return pdf


def squash(text):
    """Text without whitespace: wrapping a long line must not change what it says."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def certificate(course, learner):
    return make_certificate(learner, course[0])


def pdf_url(certificate):
    return reverse("courses:certificate_pdf", args=[certificate.code])


class TestCertificatePdfView:
    def test_the_owner_downloads_a_pdf(self, client, certificate, learner):
        client.force_login(learner)
        response = client.get(pdf_url(certificate))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="lantern-certificate-{certificate.code}.pdf"'
        )
        assert "private" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF-")

    def test_another_learner_gets_404(self, client, certificate, make_user):
        client.force_login(make_user("other@example.org"))
        assert client.get(pdf_url(certificate)).status_code == 404

    def test_anonymous_visitors_are_asked_to_sign_in(self, client, certificate):
        response = client.get(pdf_url(certificate))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))

    def test_staff_who_may_view_certificates_can_download(self, client, certificate, staff):
        client.force_login(staff)
        assert client.get(pdf_url(certificate)).status_code == 200

    def test_unknown_codes_get_404(self, client, learner, certificate):
        client.force_login(learner)
        url = reverse("courses:certificate_pdf", args=["A" * 20])
        assert client.get(url).status_code == 404

    def test_a_revoked_certificate_is_not_downloadable(self, client, certificate, learner):
        Certificate.objects.filter(pk=certificate.pk).update(
            revoked_at=timezone.now(), revoked_reason="Issued in error."
        )
        client.force_login(learner)
        response = client.get(pdf_url(certificate))
        assert response.status_code == 410
        assert response["Content-Type"].startswith("text/html")
        content = response.content.decode()
        assert "This certificate was revoked" in content and "Issued in error." in content
        assert "cannot be downloaded" in content
        assert "Download PDF" not in content

    def test_the_certificate_page_and_dashboard_link_to_the_downloads(
        self, client, certificate, learner
    ):
        client.force_login(learner)
        page = client.get(reverse("courses:certificate", args=[certificate.code]))
        content = page.content.decode()
        assert pdf_url(certificate) in content and "Download PDF" in content
        assert reverse("courses:certificate_badge", args=[certificate.code]) in content
        assert "Open Badges 3.0 file" in content
        assert certificate.display_code in content  # the accessible HTML view stays
        dashboard = client.get(reverse("courses:dashboard")).content.decode()
        assert pdf_url(certificate) in dashboard

    def test_revoked_certificates_offer_no_downloads(self, client, certificate, learner):
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
        client.force_login(learner)
        page = client.get(reverse("courses:certificate", args=[certificate.code]))
        assert page.status_code == 200
        assert b"This certificate was revoked" in page.content
        assert pdf_url(certificate).encode() not in page.content
        dashboard = client.get(reverse("courses:dashboard")).content
        assert pdf_url(certificate).encode() not in dashboard


class TestCertificatePdfContent:
    def download(self, client, user, certificate):
        client.force_login(user)
        response = client.get(pdf_url(certificate))
        assert response.status_code == 200
        return pdf_reader(response.content)

    @pytest.mark.parametrize("name", NAMES)
    def test_one_landscape_page_with_the_facts(self, client, learner, course, name):
        certificate = make_certificate(learner, course[0], name_on_certificate=name)
        reader = self.download(client, learner, certificate)
        assert len(reader.pages) == 1
        page = reader.pages[0]
        assert float(page.mediabox.width) > float(page.mediabox.height)
        assert round(float(page.mediabox.width)) == 842  # A4 landscape, in points
        text = page.extract_text()
        assert squash(name) in squash(text)
        assert "Test course" in text
        assert certificate.display_code in text
        assert "Lantern" in text
        issued = timezone.localtime(certificate.issued_at)
        assert f"Issued {issued.day} {issued:%B %Y}" in text
        expires = timezone.localtime(certificate.expires_at)
        assert f"Valid until {expires.day} {expires:%B %Y}" in text
        assert f"http://testserver/verify/{certificate.code}/" in text

    def test_metadata_names_the_issuer(self, client, learner, course, settings):
        settings.LANTERN_CERTIFICATE_ISSUER_NAME = "Northbridge Safeguarding Partnership"
        certificate = make_certificate(learner, course[0])
        reader = self.download(client, learner, certificate)
        assert reader.metadata.author == "Northbridge Safeguarding Partnership"
        assert reader.metadata.title == "Certificate of completion: Test course"
        assert "Northbridge Safeguarding Partnership" in reader.pages[0].extract_text()

    def test_the_issuer_defaults_to_the_site_name(self, settings):
        del settings.LANTERN_CERTIFICATE_ISSUER_NAME
        settings.WAGTAIL_SITE_NAME = "Lantern Training"
        assert certificate_pdf.issuer_name() == "Lantern Training"

    def test_a_certificate_that_does_not_expire_says_so(self, client, learner, course):
        certificate = make_certificate(learner, course[0], expires_at=None)
        text = self.download(client, learner, certificate).pages[0].extract_text()
        assert "Does not expire." in text

    def test_the_qr_code_encodes_the_absolute_verify_url(self, client, learner, certificate):
        reader = self.download(client, learner, certificate)
        images = reader.pages[0].images
        assert len(images) == 1
        verify_url = f"http://testserver/verify/{certificate.code}/"
        assert verification_qr(verify_url).matrix == segno.make_qr(verify_url, error="m").matrix
        # No pure-Python QR decoder: read each module of the embedded image instead, and
        # compare it with the code segno makes for the verification URL.
        expected = segno.make_qr(verify_url, error="m")
        image = images[0].image.convert("L")
        size = len(expected.matrix)
        assert image.width == (size + 2 * QR_BORDER) * QR_PIXELS_PER_MODULE
        for row, modules in enumerate(expected.matrix):
            for column, dark in enumerate(modules):
                x = (QR_BORDER + column) * QR_PIXELS_PER_MODULE + QR_PIXELS_PER_MODULE // 2
                y = (QR_BORDER + row) * QR_PIXELS_PER_MODULE + QR_PIXELS_PER_MODULE // 2
                assert (image.getpixel((x, y)) < 128) == bool(dark), (row, column)

    def test_the_font_ships_with_its_licence(self):
        assert (FONT_DIR / "DejaVuSans.ttf").is_file()
        assert (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
        assert "Bitstream" in (FONT_DIR / "LICENSE-DejaVu.txt").read_text()


class TestLongNames:
    def test_a_120_character_name_shrinks_and_wraps_without_losing_a_letter(self):
        assert len(LONG_NAME) == 120
        pdf = blank_page()
        fitted = fit_text(
            pdf, LONG_NAME, width=TEXT_WIDTH, max_height=30, max_size=30, min_size=11, style="B"
        )
        assert fitted.size < 30 and fitted.height <= 30
        pdf.set_font(certificate_pdf.FONT_FAMILY, "B", fitted.size)
        assert all(pdf.get_string_width(line) <= TEXT_WIDTH for line in fitted.lines)
        assert squash("".join(fitted.lines)) == squash(LONG_NAME)
        # Words are kept whole when they can be.
        assert all(word in LONG_NAME.split() for line in fitted.lines for word in line.split())

    def test_a_name_of_the_largest_allowed_length_still_fits(self, client, learner, course):
        name = "W" * 200  # the widest letter, no spaces: the worst case
        pdf = blank_page()
        fitted = fit_text(
            pdf, name, width=TEXT_WIDTH, max_height=30, max_size=30, min_size=11, style="B"
        )
        pdf.set_font(certificate_pdf.FONT_FAMILY, "B", fitted.size)
        assert all(pdf.get_string_width(line) <= TEXT_WIDTH for line in fitted.lines)
        assert "".join(fitted.lines) == name
        certificate = make_certificate(learner, course[0], name_on_certificate=name)
        content = render_certificate_pdf(certificate, "https://lantern.example/verify/X/")
        reader = pdf_reader(content)
        assert len(reader.pages) == 1 and name in squash(reader.pages[0].extract_text())

    def test_a_short_name_is_printed_large_on_one_line(self):
        fitted = fit_text(
            blank_page(),
            "José Müller",
            width=TEXT_WIDTH,
            max_height=30,
            max_size=30,
            min_size=11,
            style="B",
        )
        assert fitted.size == 30 and fitted.lines == ["José Müller"]


class TestArabicNames:
    def test_arabic_is_shaped_when_uharfbuzz_is_installed(self, learner, course):
        pytest.importorskip("uharfbuzz")
        assert certificate_pdf.text_shaping_available()
        certificate = make_certificate(learner, course[0], name_on_certificate=ARABIC_NAME)
        content = render_certificate_pdf(certificate, "https://lantern.example/verify/X/")
        assert ARABIC_NAME in pdf_reader(content).pages[0].extract_text()

    def test_without_uharfbuzz_the_name_still_renders(self, learner, course, monkeypatch):
        """The documented fallback: right-to-left order, letters in their unjoined forms."""
        monkeypatch.setattr(certificate_pdf, "text_shaping_available", lambda: False)
        certificate = make_certificate(learner, course[0], name_on_certificate=ARABIC_NAME)
        content = render_certificate_pdf(certificate, "https://lantern.example/verify/X/")
        reader = pdf_reader(content)
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert all(letter in text for letter in ARABIC_NAME.replace(" ", ""))
        assert certificate.display_code in text


class TestCharactersTheFontCannotDraw:
    def test_the_scripts_we_promise_are_covered(self):
        names = [
            *NAMES,
            ARABIC_NAME,
            "Σοφία Παπαδοπούλου",
            "Дар'я Шевченко",
            "שרה כהן",
            "Nguyễn Thị Minh Khai",
            "Zahra\u200cKarimi",
        ]
        assert missing_characters(*names) == []

    def test_others_are_reported_in_order(self):
        assert missing_characters("李小龍", "Ana 🌟 Silva", "李") == ["李", "小", "龍", "🌟"]

    def test_the_pdf_is_not_made_without_part_of_the_name(self, client, learner, course):
        certificate = make_certificate(learner, course[0], name_on_certificate="李小龍")
        client.force_login(learner)
        response = client.get(pdf_url(certificate))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        content = response.content.decode()
        assert "We cannot make a PDF of this certificate yet" in content
        assert "李 小 龍" in content and "Save as PDF" in content
        assert "李小龍" in content  # the HTML certificate shows the name
