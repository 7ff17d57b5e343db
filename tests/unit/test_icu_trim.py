"""packaging/icu.py on Qt's real ICU: a copy of the venv's libicudata is trimmed, then used by Qt's own
libicuuc and libicui18n in a fresh process (icu.check), side by side with the untrimmed library."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("cb_packaging_icu", ROOT / "packaging" / "icu.py")
icu = importlib.util.module_from_spec(spec)
spec.loader.exec_module(icu)

QT_LIB = Path(sys.prefix, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages",
              "PySide6", "Qt", "lib")
KEPT_LOCALES = ("zh", "zh_Hant", "zh_CN", "ja", "ko", "en")


def _tools_or_skip() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("Qt's ICU data library is trimmed on Linux builds only")
    missing = [tool for tool in ("icupkg", "gcc", "nm", "readelf")
               if not (shutil.which(tool) or shutil.which(tool, path="/usr/sbin"))]
    missing += [] if any(QT_LIB.glob("libicudata.so.*")) else [f"{QT_LIB}/libicudata.so.*"]
    if missing:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"CI must trim ICU but lacks {missing} (apt-get install icu-devtools gcc binutils)")
        pytest.skip(f"missing {missing}: apt-get install icu-devtools gcc binutils")


def _copy_icu(folder: Path) -> Path:
    folder.mkdir()
    for library in QT_LIB.glob("libicu*.so.*"):
        shutil.copy2(library, folder)
    return next(folder.glob("libicudata.so.*"))


@pytest.fixture(scope="module")
def trimmed(tmp_path_factory):
    """(library, bytes before, bytes after, check() of the full ICU, check() of the trimmed one)."""
    _tools_or_skip()
    library = _copy_icu(tmp_path_factory.mktemp("icu") / "lib")
    full = icu.check(library.parent)
    before, after = icu.trim(library, work=tmp_path_factory.mktemp("work"))
    return library, before, after, full, icu.check(library.parent)


def test_trimmed_icu_serves_what_qt_uses(trimmed) -> None:
    _, _, _, _, results = trimmed
    for locale in ("zh", "ja", "ko"):  # their own tailorings, found (U_ZERO_ERROR)
        assert results["collation"][locale] == 0, locale
    assert results["zh_order"] == ["李", "王", "张"]  # pinyin: li < wang < zhang
    assert results["encodings"] == dict.fromkeys(icu.ENCODINGS, "ok")  # 张伟 in GB18030, 張偉 in Shift_JIS...
    assert results["upper"] == "STRASSE"
    assert results["canonical_PRC"] == "Asia/Shanghai"
    assert results["time_zone_names"]["zh"] == "中国标准时间"
    assert results["time_zone_names"]["en"] == "China Standard Time"


def test_kept_languages_behave_as_with_the_full_data(trimmed) -> None:
    _, _, _, full, results = trimmed
    for locale in KEPT_LOCALES:  # en and zh_Hant are warnings (root's, zh's rules) with the full data too
        assert results["collation"][locale] == full["collation"][locale], locale
    assert results["time_zone_names"] == full["time_zone_names"]
    assert results["time_zone_names"]["ja"] == "中国標準時" and results["time_zone_names"]["ko"] == "중국 표준시"
    assert (results["encodings"], results["upper"]) == (full["encodings"], full["upper"])


def test_a_dropped_locale_falls_back_to_root_and_still_works(trimmed) -> None:
    _, _, _, full, results = trimmed
    # Swedish has its own collation in the full data (ä after z) and falls back to root's (ä by a) here:
    # the data is gone, and ICU copes
    assert full["collation"]["sv"] == 0 and not full["sv_ä_before_z"]
    assert results["collation"]["sv"] == -127 and results["sv_ä_before_z"]  # U_USING_DEFAULT_WARNING
    assert results["collation"]["de"] == -127
    # dropped converters are gone from ICU's list of available ones (it opens each to count it)
    assert results["converters_available"] < full["converters_available"]


def test_trim_shrinks_in_place_and_keeps_what_the_loader_needs(trimmed) -> None:
    library, before, after, _, _ = trimmed
    original = next(QT_LIB.glob("libicudata.so.*"))
    assert before == original.stat().st_size > 30_000_000
    assert after == library.stat().st_size < 10 * 1024 * 1024  # 9.3 MB measured with Qt 6's ICU 73
    assert library.stat().st_mode & 0o777 == original.stat().st_mode & 0o777
    assert not list(library.parent.glob("*.trimmed"))

    def soname_and_exports(path: Path):
        dynamic = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
        symbols = subprocess.run(["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True,
                                 check=True).stdout
        sonames = [line for line in dynamic.splitlines() if "SONAME" in line]
        return sonames, [line.split()[-1] for line in symbols.splitlines()]

    assert soname_and_exports(library) == soname_and_exports(original)


def test_trimming_again_changes_nothing(trimmed) -> None:
    library, _, after, _, _ = trimmed
    digest = hashlib.sha256(library.read_bytes()).hexdigest()
    assert icu.trim(library) == (after, after)
    assert hashlib.sha256(library.read_bytes()).hexdigest() == digest


def test_a_trim_that_breaks_chinese_replaces_nothing(tmp_path) -> None:
    _tools_or_skip()
    library = _copy_icu(tmp_path / "lib")
    digest = hashlib.sha256(library.read_bytes()).hexdigest()
    with pytest.raises(RuntimeError, match="collation zh"):
        icu.trim(library, languages=("en",))  # check() before os.replace: zh would fall back to root
    assert hashlib.sha256(library.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in library.parent.iterdir()) == sorted(p.name for p in QT_LIB.glob("libicu*.so.*"))


def test_a_library_without_icu_data_is_refused(tmp_path) -> None:
    _tools_or_skip()
    library = _copy_icu(tmp_path / "lib")
    uc = next(library.parent.glob("libicuuc.so.*"))
    with pytest.raises(RuntimeError, match="expected one icudt"):
        icu.trim(uc)


KEPT = """icudt73l/root.res res_index.res pool.res icudt73l/coll/root.res zh.res zh_Hant_TW.res coll/zh.res
zone/en_GB.res icudt73l/en_US_POSIX.res ja.res curr/ko_KP.res rbnf/zh_Hant.res supplementalData.res zoneinfo64.res
metaZones.res icuver.res timezoneTypes.res windowsZones.res likelySubtags.res plurals.res keyTypeData.res
numberingSystems.res coll/ucadata.icu nfkc.nrm uts46.nrm confusables.cfu cnvalias.icu unames.icu brkitr/cjdict.dict
brkitr/line_cj.brk brkitr/res_index.res gb18030.cnv windows-936-2000.cnv ibm-943_P15A-2003.cnv
ibm-5348_P100-1997.cnv euc-jp-2007.cnv""".split()
DROPPED = """de.res coll/de__PHONEBOOK.res coll/es_.res yue_Hant.res es_419.res ca_ES_VALENCIA.res lang/sr_Latn.res
unit/kok.res icudt73l/brkitr/de.res brkitr/thaidict.dict brkitr/khmerdict.dict brkitr/laodict.dict
icudt73l/brkitr/burmesedict.dict translit/root.res icudt73l/translit/en.res ibm-37_P100-1995.cnv
ibm-1390_P110-2003.cnv euc-tw-2014.cnv ibm-437_P100-1995.cnv icu-internal-compound-t.cnv""".split()


@pytest.mark.parametrize("item", KEPT)
def test_kept_items(item: str) -> None:
    assert icu.kept(item)


@pytest.mark.parametrize("item", DROPPED)
def test_dropped_items(item: str) -> None:
    assert not icu.kept(item)


def test_languages_choose_the_locales() -> None:
    assert icu.kept("de_AT.res", languages=("de",)) and not icu.kept("zh.res", languages=("de",))
    assert icu.kept("supplementalData.res", languages=())  # never per locale
