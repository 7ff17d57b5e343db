"""Trim Qt's ICU data library: 32 MB of the frozen Linux app, which must stay <= 200 MB (issue 12).

``libicudata.so.NN`` is one symbol, ``icudtNN_dat``: ICU's data package. Qt Core uses only collation
(QCollator), case mapping, time-zone IDs and names (QTimeZone) and converters (QStringConverter),
never a break iterator, transliterator or number spell-out. ``trim()`` takes the package out, removes
items with ICU's ``icupkg`` and links the rest into a library with the same soname and symbol. Kept:
- all that is not per locale (root, pools, supplemental and time-zone data, normalisation, ucadata...);
- per-locale data (top level, coll/ curr/ lang/ region/ unit/ zone/ rbnf/ brkitr/) of zh, en, ja, ko
  with their scripts and regions (the app speaks zh-CN, zh-Hant, en, ja, ko); other locales fall back
  to root like any locale ICU lacks (res_index still lists them);
- break rules and the CJK dictionary, not the Thai, Lao, Khmer, Burmese ones nor transliterators;
- converters for the WHATWG Encoding Standard's encodings (what browsers, mail and Windows still meet)
  and the CJK labels ICU maps to tables of their own (GB2312, windows-936/949/950/31j); not EBCDIC,
  DOS or mainframe tables, nor CJK encodings the web refused (EUC-TW, ISO-2022-CN/KR...);
- what icupkg says a kept item needs when it refuses a removal (a converter's base table).
``check()`` uses the result with Qt's own libicuuc and libicui18n in a fresh process.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from functools import cmp_to_key
from pathlib import Path

LANGUAGES = ("en", "zh", "ja", "ko")
LOCALE = re.compile(r"^(?P<lang>[a-z]{2,3})(_[A-Z0-9][A-Za-z0-9]*|_)*\.res$")  # zh_Hant_TW.res, de__PHONEBOOK.res
DROPPED_DICTIONARIES = {"thaidict.dict", "laodict.dict", "khmerdict.dict", "burmesedict.dict"}
# The encodings check() opens (SAMPLES, else "Booth", there and back), then the ICU tables they open.
ENCODINGS = """GB18030 GBK windows-936 GB2312 EUC-CN Big5 windows-950 Big5-HKSCS Shift_JIS windows-31j
ISO-2022-JP EUC-JP EUC-KR windows-949 windows-874 IBM866 KOI8-R KOI8-U macintosh x-mac-cyrillic""".split()
ENCODINGS += [f"ISO-8859-{n}" for n in (*range(2, 11), 13, 14, 15)] + [f"windows-{n}" for n in range(1250, 1259)]
CONVERTERS = set("""gb18030 windows-936-2000 ibm-1383_P110-1999 windows-950-2000 ibm-1375_P100-2008 ibm-943_P15A-2003
euc-jp-2007 ibm-970_P110_P110-2006_U2 windows-949-2000 windows-874-2000 ibm-866_P100-1995 ibm-878_P100-1996
ibm-1168_P100-2002 macos-0_2-10.2 macos-7_3-10.2 ibm-912_P100-1995 ibm-913_P100-2000 ibm-914_P100-1995
ibm-915_P100-1995 ibm-1089_P100-1995 ibm-9005_X110-2007 ibm-5012_P100-1999 ibm-920_P100-1995 iso-8859_10-1998
ibm-921_P100-1995 iso-8859_14-1998 ibm-923_P100-1998 ibm-5346_P100-1998 ibm-5347_P100-1998 ibm-5348_P100-1997
ibm-5349_P100-1998 ibm-5350_P100-1998 ibm-9447_P100-2002 ibm-9448_X100-2005 ibm-9449_P100-2002 ibm-5354_P100-1998
""".split())
SAMPLES = {"GB18030": "张伟", "GBK": "张伟", "GB2312": "张伟", "Big5": "張偉", "Big5-HKSCS": "張偉",
           "Shift_JIS": "張偉", "windows-31j": "山田", "EUC-JP": "山田", "ISO-2022-JP": "山田",
           "EUC-KR": "김민준", "windows-949": "김민준", "windows-1252": "Müller", "macintosh": "Müller"}


def kept(item: str, languages=LANGUAGES) -> bool:
    """Whether trim() keeps this package item (``coll/zh.res``, with or without ``icudt73l/``)."""
    name = item.rsplit("/", 1)[-1]
    if "translit" in item.split("/")[:-1] or name in DROPPED_DICTIONARIES:
        return False
    if name.endswith(".cnv"):
        return name.removesuffix(".cnv") in CONVERTERS
    return not (locale := LOCALE.match(name)) or locale["lang"] in languages


def _run(tool: str, *args, check=True, **options) -> subprocess.CompletedProcess:
    if not (path := shutil.which(tool) or shutil.which(tool, path="/usr/sbin")):  # icu-devtools' icupkg
        raise RuntimeError(f"{tool} is missing: install icu-devtools, gcc and binutils")
    done = subprocess.run([path, *map(str, args)], capture_output=True, text=True, **options)
    if check and done.returncode:
        raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def _package(library: Path) -> tuple[str, bool, bytes]:
    """The data symbol's name, whether little-endian, and its bytes (located through its section)."""
    nm = _run("nm", "-D", "-S", "--defined-only", library).stdout
    symbols = re.findall(r"^([0-9a-f]+) ([0-9a-f]+) [RD] (icudt\d+_dat)$", nm, re.M)
    if len(symbols) != 1:
        raise RuntimeError(f"{library}: expected one icudt*_dat symbol, found {symbols}")
    address, size, symbol = int(symbols[0][0], 16), int(symbols[0][1], 16), symbols[0][2]
    sections = re.findall(r"\]\s+\S+\s+PROGBITS\s+(\w+)\s+(\w+)\s+(\w+)", _run("readelf", "-SW", library).stdout)
    for start, offset, length in sections:
        start, offset, length = int(start, 16), int(offset, 16), int(length, 16)
        if start <= address and address + size <= start + length:
            with open(library, "rb") as f:
                little = f.read(6)[5] == 1  # ELF EI_DATA: 1 little-endian, 2 big-endian
                f.seek(address - start + offset)
                return symbol, little, f.read(size)
    raise RuntimeError(f"{library}: no section holds {symbol}")


def _remove(src: Path, dst: Path, items: list[str], ignore_deps: bool = False) -> list[str]:
    """``icupkg -r``, keeping what icupkg says a kept item needs; returns the items removed."""
    dst.parent.mkdir()
    while items:
        Path(dst.parent, "removed.txt").write_text("".join(f"{item}\n" for item in items))
        flags = ["--ignore-deps"] if ignore_deps else []
        done = _run("icupkg", *flags, "-r", "removed.txt", src, dst, cwd=dst.parent, check=False)
        if not done.returncode:
            return items
        if not (needed := set(re.findall(r"depends on missing item (\S+)", done.stderr)) & set(items)):
            raise RuntimeError(f"icupkg -r failed: {done.stderr.strip()}")
        items = [item for item in items if item not in needed]
    shutil.copyfile(src, dst)
    return items


def trim(library: Path, languages=LANGUAGES, work: Path | None = None) -> tuple[int, int]:
    """Replace ``library`` (Qt's libicudata) in place by a trimmed one; (bytes before, bytes after).
    When Qt's libicuuc is beside it, the result must pass check() before it replaces anything."""
    library, before = Path(library), Path(library).stat().st_size
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        symbol, little, data = _package(library)
        name = symbol.removesuffix("_dat") + ("l" if little else "b")
        full, mid, trimmed = (Path(tmp, *step, f"{name}.dat") for step in ((), ("mid",), ("trimmed",)))
        full.write_bytes(data)  # icupkg wants the package's own name: icudt73l.dat
        listing = _run("icupkg", "--ignore-deps", "-l", full).stdout.split()
        removed = [item.removeprefix(f"{name}/") for item in listing if not kept(item, languages)]
        # The dictionaries go although brkitr/root.res names them: a Thai word break iterator (which
        # Qt never opens) would find no dictionary and fall back to the break rules.
        dictionaries = [item for item in removed if item.rsplit("/", 1)[-1] in DROPPED_DICTIONARIES]
        if not _remove(full, mid, [item for item in removed if item not in dictionaries]) + _remove(
            mid, trimmed, dictionaries, ignore_deps=True
        ):
            return before, before  # trimmed already
        asm, linked = Path(tmp, "trimmed", "data.s"), Path(tmp, "trimmed", library.name)
        asm.write_text(f'.section .rodata\n.globl {symbol}\n.type {symbol}, %object\n.balign 16\n{symbol}:\n'
                       f'.incbin "{trimmed.name}"\n.size {symbol}, .-{symbol}\n.section .note.GNU-stack,"",%progbits\n')
        sonames = re.findall(r"\(SONAME\).*\[(.+)\]", _run("readelf", "-d", library).stdout)
        _run("gcc", "-shared", "-nostdlib", f"-Wl,-soname,{sonames[0] if sonames else library.name}",
             "-Wl,-z,noexecstack", "-Wl,--build-id=sha1", "-o", linked, asm.name, cwd=asm.parent)
        if any(library.parent.glob("libicuuc.so*")):
            check(library.parent, data=linked)
        staged = library.with_name(library.name + ".trimmed")
        shutil.copyfile(linked, staged)
        os.chmod(staged, library.stat().st_mode & 0o7777)
        os.replace(staged, library)
    return before, library.stat().st_size


def trim_collected(binaries: list, workdir: Path) -> tuple[list, tuple[int, int] | None]:
    """The spec's step: ``binaries`` (a TOC, destination first) with Qt's ICU data library replaced
    by a trimmed copy made in ``workdir`` beside copies of Qt's libicuuc and libicui18n (so trim()
    checks it with them); (before, after) bytes, or None when there is no ICU (Windows, macOS)."""
    icu_libs = {e[0].replace("\\", "/").rsplit("/", 1)[-1]: e for e in binaries
                if re.search(r"(^|/)PySide6/Qt/lib/libicu(data|uc|i18n)\.so\.\d+$", e[0].replace("\\", "/"))}
    data = next((e for name, e in icu_libs.items() if name.startswith("libicudata")), None)
    if data is None:
        return binaries, None
    shutil.rmtree(workdir, ignore_errors=True)
    Path(workdir).mkdir(parents=True)
    for name, entry in icu_libs.items():
        shutil.copyfile(entry[1], Path(workdir, name))
    library = Path(workdir, data[0].replace("\\", "/").rsplit("/", 1)[-1])
    sizes = trim(library, work=Path(workdir))
    return [(e[0], str(library), *e[2:]) if e is data else e for e in binaries], sizes


def check(lib_dir: Path, data: Path | None = None) -> dict:
    """Use what Qt uses of ICU from ``lib_dir`` (with the data library ``data`` if given) in a fresh
    process; the results as a dict. RuntimeError when something the app needs fails."""
    data = Path(data) if data else next(Path(lib_dir).glob("libicudata.so.*"))
    done = _run(sys.executable, __file__, data, lib_dir, env={**os.environ, "LC_ALL": "C.UTF-8"}, timeout=120)
    results = json.loads(done.stdout)
    # -127/-128 U_USING_DEFAULT/FALLBACK_WARNING: root's or a parent's, as en and zh_Hant get in full ICU
    failed = [f"collation {loc}: status {s}" for loc, s in results["collation"].items()
              if s not in (-127, -128, 0) or loc in ("zh", "ja", "ko") and s]
    failed += [f"{name}: {how}" for name, how in results["encodings"].items() if how != "ok"]
    zones = results["time_zone_names"]
    if results["zh_order"] != list("李王张") or [zones["zh"], zones["en"]] != ["中国标准时间", "China Standard Time"]:
        failed.append(f"zh order {results['zh_order']}, time-zone names {zones}")
    if failed:
        raise RuntimeError(f"ICU check of {data}: " + "; ".join(failed))
    return results


def _probe(data: str, lib_dir: str) -> dict:
    """check()'s own process: libicudata first, so that libicuuc binds to it by soname."""
    ctypes.CDLL(data, mode=ctypes.RTLD_GLOBAL)
    i18n = ctypes.CDLL(str(next(Path(lib_dir).glob("libicui18n.so.*"))))  # libicuuc beside it comes along
    suffix = "_" + data.rsplit(".so.", 1)[1].split(".")[0]  # ICU renames its functions: ucol_open_73
    c_void_p, c_int, byref, u16 = ctypes.c_void_p, ctypes.c_int32, ctypes.byref, ctypes.c_uint16

    def icu(name):
        fn = getattr(i18n, name + suffix)  # the handle reaches libicuuc's functions too
        fn.restype = c_void_p if name.endswith("_open") else c_int
        return fn

    def text(s: str):  # a NUL-terminated UChar string (samples are in the BMP)
        return (u16 * (len(s) + 1))(*map(ord, s))

    results, collators = {"collation": {}, "encodings": {}, "time_zone_names": {}}, {}
    for loc in ("zh", "zh_Hant", "zh_CN", "ja", "ko", "en", "sv", "de"):
        status = c_int(0)
        collators[loc] = c_void_p(icu("ucol_open")(loc.encode(), byref(status)))
        results["collation"][loc] = status.value
    coll = icu("ucol_strcoll")
    results["zh_order"] = sorted("张王李", key=cmp_to_key(lambda a, b: coll(collators["zh"], text(a), -1, text(b), -1)))
    results["sv_ä_before_z"] = coll(collators["sv"], text("ä"), -1, text("z"), -1) < 0  # Swedish: after z
    for name in ENCODINGS:
        status, sample, out, back = c_int(0), SAMPLES.get(name, "Booth"), ctypes.create_string_buffer(64), (u16 * 64)()
        cnv = c_void_p(icu("ucnv_open")(name.encode(), byref(status)))  # the rest no-op on failure
        n = icu("ucnv_fromUChars")(cnv, out, 64, text(sample), -1, byref(status))
        m = icu("ucnv_toUChars")(cnv, back, 64, out, n, byref(status))
        icu("ucnv_close")(cnv)
        got = "".join(map(chr, back[:m]))
        results["encodings"][name] = "ok" if status.value <= 0 and got == sample else f"{got!r}, status {status.value}"
    results["converters_available"] = icu("ucnv_countAvailable")()
    buf, status = (u16 * 64)(), c_int(0)
    results["upper"] = "".join(map(chr, buf[: icu("u_strToUpper")(buf, 64, text("straße"), -1, b"en", byref(status))]))
    n = icu("ucal_getCanonicalTimeZoneID")(text("PRC"), -1, buf, 64, None, byref(status))
    results["canonical_PRC"] = "".join(map(chr, buf[:n]))
    for loc in ("zh", "zh_Hant", "en", "ja", "ko"):
        cal = c_void_p(icu("ucal_open")(text("Asia/Shanghai"), -1, loc.encode(), 1, byref(status)))
        n = icu("ucal_getTimeZoneDisplayName")(cal, 0, loc.encode(), buf, 64, byref(status))  # 0: UCAL_STANDARD
        results["time_zone_names"][loc] = "".join(map(chr, buf[:n])) if status.value <= 0 else f"status {status.value}"
    return results


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1], sys.argv[2]), ensure_ascii=False))
