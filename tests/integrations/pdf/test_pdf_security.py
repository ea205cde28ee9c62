"""Hostile template values: escaped when they are text, never fetched or read when they are URLs.

The trap server is a real HTTP server on 127.0.0.1; the positive controls show that plain WeasyPrint (without our
fetcher) does reach it and does embed /etc/passwd, so the negative assertions below are not vacuous.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from markupsafe import Markup

from market.integrations.pdf import (
    DocumentContextInvalid,
    DocumentFolder,
    RestrictedURLFetcher,
    render_document,
    render_html,
)
from market.integrations.pdf.fetcher import URLRefused

PASSWD = Path("/etc/passwd")


def passwd_marker() -> str:
    """A line of /etc/passwd that must never appear in a PDF (``root:x:0:0...``)."""
    if not PASSWD.is_file():
        pytest.skip("no /etc/passwd on this system to try to read")
    return PASSWD.read_text().splitlines()[0][:20]


def hostile_folder(tmp_path: Path, trap_url: str) -> Path:
    """A document folder whose template (carelessly) puts values into URL attributes, plus a folder asset."""
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "document.yaml").write_text("name: hostile\nversion: '0'\ntitle: hostile\n")
    (folder / "style.css").write_text(
        f'@import url("{trap_url}/import.css");\n'
        f'body {{ background: url("{trap_url}/background.png"); font-family: "Noto Serif CJK SC"; }}\n'
    )
    (folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    )
    (folder / "template.html").write_text(
        "<html><head>"
        '<link rel="stylesheet" href="{{ url }}/link.css">'
        "</head><body>"
        "<p>{{ name }}</p>"
        '<img src="{{ url }}/img.png">'
        '<img src="{{ file }}">'
        '<img src="relative.png">'
        '<img src="document:../../../../../../etc/passwd">'
        '<img src="document:logo.svg">'
        '<img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">'
        '<object data="{{ url }}/object.svg" type="image/svg+xml"></object>'
        '<embed src="{{ url }}/embed.svg" type="image/svg+xml">'
        '<a rel="attachment" href="{{ file }}">attached</a>'
        '<link rel="attachment" href="{{ url }}/attached.txt">'
        '<div style="background-image: url({{ url }}/inline.png)">x</div>'
        "</body></html>"
    )
    return folder


def test_hostile_values_as_text_are_escaped_and_nothing_is_fetched(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any], trap_server: Any, pdftotext: Any
) -> None:
    img = f'<img src="{trap_server.url}/x.png">'
    contract_sample["licensee"]["name_zh"] = f"深圳{img}公司"
    contract_sample["licensee"]["address_zh"] = "file:///etc/passwd"
    contract_sample["licensor"]["contact"] = f'<link rel="stylesheet" href="{trap_server.url}/x.css">'
    contract_sample["terms"]["other_terms"][0]["zh"] = '<a rel="attachment" href="file:///etc/passwd">x</a>'

    html = render_html(contract_folder, contract_sample)
    doc = render_document(contract_folder, contract_sample)
    text = pdftotext(doc.pdf)

    assert "&lt;img src=&#34;" in html and "<img" not in html  # escaped by Jinja's autoescape
    assert img in text.replace("\n", "")  # shown as text in the contract, as typed
    assert "file:///etc/passwd" in text
    assert trap_server.requests == []
    assert passwd_marker() not in text
    assert doc.refused_urls == ()  # nothing was even attempted: the values never became URLs


def test_urls_in_attributes_are_neither_fetched_nor_read(
    tmp_path: Path, trap_server: Any, pdftotext: Any, pdf_attachments: Any
) -> None:
    folder = hostile_folder(tmp_path, trap_server.url)
    values = {"url": trap_server.url, "file": "file:///etc/passwd", "name": "名称"}

    doc = render_document(folder, values)

    assert trap_server.requests == []
    assert pdf_attachments(doc.pdf) == 0
    assert passwd_marker() not in pdftotext(doc.pdf)
    refused = set(doc.refused_urls)
    assert f"{trap_server.url}/img.png" in refused and "file:///etc/passwd" in refused
    assert f"{trap_server.url}/import.css" in refused and f"{trap_server.url}/link.css" in refused
    assert "document:../../../../../../etc/passwd" in refused
    assert "document:logo.svg" not in refused  # the folder's own asset is served


def test_positive_control_plain_weasyprint_fetches_and_embeds(
    tmp_path: Path, trap_server: Any, pdf_attachments: Any
) -> None:
    """The same HTML without our fetcher: the trap server is hit and /etc/passwd is embedded. Our fetcher is
    what stops both."""
    passwd_marker()
    folder = hostile_folder(tmp_path, trap_server.url)
    html = render_html(folder, {"url": trap_server.url, "file": "file:///etc/passwd", "name": "x"})

    pdf = weasyprint.HTML(string=html).write_pdf()

    assert any(path.endswith("img.png") for path in trap_server.requests)
    assert pdf_attachments(pdf) >= 1


def test_fetcher_serves_only_the_document_folder(tmp_path: Path) -> None:
    (tmp_path / "logo.svg").write_text("<svg/>")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.txt"
    outside.write_text("secret")
    (tmp_path / "link.txt").symlink_to(outside)
    fetcher = RestrictedURLFetcher(document_root=tmp_path)

    assert fetcher.fetch("document:logo.svg").read() == b"<svg/>"
    for url in ("document:../" + outside.name, "document:link.txt", "document:missing.png",
                "file:///etc/passwd", "http://127.0.0.1:9/", "https://example.org/x.png", "ftp://x/y", "x.png"):
        with pytest.raises(URLRefused):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8


def test_fetcher_lets_only_allow_listed_https_hosts_through(monkeypatch: pytest.MonkeyPatch) -> None:
    passed: list[str] = []
    monkeypatch.setattr(weasyprint.urls.URLFetcher, "fetch", lambda self, url, headers=None: passed.append(url))
    fetcher = RestrictedURLFetcher(document_root=Path("."), allowed_hosts={"Assets.Example.org"})

    fetcher.fetch("https://assets.example.org/seal.png")
    for url in ("http://assets.example.org/seal.png", "https://assets.example.org.evil.test/x",
                "https://evil.test/?assets.example.org"):
        with pytest.raises(URLRefused):
            fetcher.fetch(url)

    assert passed == ["https://assets.example.org/seal.png"]


class FakeRow:
    """Stands for an ORM row: the template must never get one."""

    name = "北辰理工大学"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (FakeRow(), r"context\.licensor: .*FakeRow is not a plain value"),
        (1.5, r"context\.licensor: floats are not accepted"),
        (Markup("<b>x</b>"), r"context\.licensor: pre-marked-safe HTML"),
        ({1: "x"}, r"context\.licensor: keys must be str"),
        ([{"ok": datetime.date(2026, 1, 1)}, object()], r"context\.licensor\[1\]"),
    ],
)
def test_only_plain_values_reach_the_template(
    contract_folder: DocumentFolder, contract_sample: dict[str, Any], value: Any, message: str
) -> None:
    contract_sample["licensor"] = value
    with pytest.raises(DocumentContextInvalid, match=message):
        render_html(contract_folder, contract_sample)


def test_the_document_key_is_reserved(contract_folder: DocumentFolder, contract_sample: dict[str, Any]) -> None:
    contract_sample["document"] = {"version": "forged"}
    with pytest.raises(DocumentContextInvalid, match="reserved"):
        render_html(contract_folder, contract_sample)

