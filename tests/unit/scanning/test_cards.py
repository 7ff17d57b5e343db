"""Business cards (issue #13): OCR text to fields (pure), RapidOCR with the models its wheel
ships and nothing fetched, and the photo kept in memory only."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from consentbooth.domain.models import DataSource
from consentbooth.scanning.cards import card_fields
from consentbooth.services.scans import read_business_card

ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class L:
    text: str
    y0: float
    height: float = 30.0
    x0: float = 0.0


def lines(*items: tuple[str, float]) -> list[L]:
    return [L(text, y0=i * 50.0, height=h) for i, (text, h) in enumerate(items)]


def test_a_chinese_card() -> None:
    found = card_fields(lines(("上海示例科技有限公司", 40), ("张伟", 72), ("采购经理", 34),
                              ("电话：021-5555 0100", 30), ("手机：138 0013 8000", 30),
                              ("传真：021-5555 0199", 30), ("邮箱：zhang.wei@example.cn", 30),
                              ("微信：zhangwei_88", 30), ("地址：上海市浦东新区示例路88号", 30)))
    assert dict(found.fields) == {"name": "张伟", "company": "上海示例科技有限公司", "title": "采购经理",
                                  "phone": "+8613800138000", "email": "zhang.wei@example.cn",
                                  "wechat": "zhangwei_88"}
    assert found.alternatives["phone"] == ("+862155550100",)  # the office line, never the fax


def test_an_english_card_with_name_and_title_on_one_line() -> None:
    found = card_fields(lines(("Acme Corporation", 40), ("John Smith | Sales Director", 60),
                              ("M: +44 7911 123456", 28), ("T: +44 20 7946 0000", 28),
                              ("E: john.smith @ acme.co.uk", 28), ("www.acme.example", 28),
                              ("1 Example Road, London EC1A 1BB", 28)))
    assert dict(found.fields) == {"name": "John Smith", "company": "Acme Corporation",
                                  "title": "Sales Director", "phone": "+447911123456",
                                  "email": "john.smith@acme.co.uk"}


def test_a_bilingual_card_prefers_the_chinese_name_and_company() -> None:
    found = card_fields(lines(("深圳演示电子有限公司", 38), ("Shenzhen Demo Electronics Co., Ltd.", 24),
                              ("林晓燕", 70), ("Xiaoyan Lin", 30), ("采购经理/ PurchasingManager", 28),
                              ("手机 Mobile: 139 4444 5555", 28), ("微信 WeChat: linxy_sz", 28)))
    assert dict(found.fields) == {"name": "林晓燕", "company": "深圳演示电子有限公司",
                                  "title": "采购经理 / Purchasing Manager", "phone": "+8613944445555",
                                  "wechat": "linxy_sz"}


def test_a_title_with_trade_words_is_not_a_company() -> None:
    found = card_fields(lines(("Globex Trading S.L.", 40), ("Mateo Garcia", 64), ("Chief Technology Officer", 32)))
    assert found.fields["company"] == "Globex Trading S.L." and found.fields["title"] == "Chief Technology Officer"


def test_nothing_usable_is_an_empty_draft() -> None:
    assert dict(card_fields(lines(("!!!", 20), ("1234", 20))).fields) == {}
    assert "张伟" not in repr(card_fields(lines(("张伟", 70))))


# -- the engine, offline, on generated photos --------------------------------------------------------

OFFLINE = textwrap.dedent("""
    import socket, sys
    def refuse(event, args):
        if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
            raise RuntimeError("network used: " + event)
    sys.addaudithook(refuse)
    from pathlib import Path
    from consentbooth.scanning import ocr
    before = sorted((p.name, p.stat().st_size) for p in ocr.models_dir().iterdir())
    from tests.support.cards import cards
    card = cards(limit=1)[0]
    lines = ocr.read_text(card.photo)
    from consentbooth.scanning.cards import card_fields
    fields = card_fields(lines).fields
    assert fields["email"] == card.expected["email"], fields
    after = sorted((p.name, p.stat().st_size) for p in ocr.models_dir().iterdir())
    assert before == after, (before, after)
    print("offline ok", len(lines))
""")


def test_the_engine_runs_on_the_bundled_models_without_any_network() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               HOME=os.environ.get("TMPDIR", "/tmp"))
    done = subprocess.run([sys.executable, "-c", OFFLINE], capture_output=True, text=True, env=env,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "offline ok" in done.stdout


@pytest.fixture(scope="module")
def sample_cards():
    from tests.support.cards import cards

    every = cards()
    return [c for lang in ("zh", "en", "mixed") for c in [x for x in every if x.language == lang][:4]]


def test_generated_cards_are_read_well_enough(sample_cards) -> None:
    """12 of the bench's cards (4 Chinese, 4 English, 4 bilingual; blurred, turned, in
    perspective, JPEG 50): mobile and email right on every one, name and company on 11 or more.
    ``python -m tests.bench scanning`` reports every field over all of them."""
    right = {"name": 0, "company": 0, "phone": 0, "email": 0}
    for card in sample_cards:
        draft = read_business_card(None, card.photo)
        assert draft.source is DataSource.BUSINESS_CARD
        for key in right:
            right[key] += draft.fields.get(key) == card.expected[key]
    assert right["phone"] == right["email"] == len(sample_cards), right
    assert right["name"] >= 11 and right["company"] >= 11, right


def test_the_photo_is_never_written_anywhere(sample_cards, run_dir: Path, tmp_path: Path) -> None:
    def listing() -> set[tuple[str, int]]:
        return {(str(p), p.stat().st_size) for root in (run_dir, Path(os.environ.get("TMPDIR", "/tmp")))
                for p in root.rglob("*") if p.is_file() and tmp_path not in p.parents}

    before = listing()
    card = sample_cards[0]
    read_business_card(None, card.photo)
    after = listing()
    new = {name for name, _ in after - before if not name.endswith(".log")}
    assert new == set()
    marker = card.photo[1000:1032]
    for path in Path(run_dir).rglob("*"):
        if path.is_file():
            assert marker not in path.read_bytes(), path


@pytest.mark.parametrize("photo", [b"", b"not an image at all", b"\xff\xd8\xff\xe0" + b"\x00" * 50])
def test_a_file_that_is_no_photo_is_one_sentence(photo: bytes) -> None:
    from consentbooth.core.errors import UserFacingError

    with pytest.raises(UserFacingError, match="not a photo this app can read"):
        read_business_card(None, photo)
