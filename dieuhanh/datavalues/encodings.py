"""Reading uploaded text files that may be in a legacy Vietnamese encoding.

Many offices still produce CSV files in the encodings of the 1990s. ``decode_text`` takes
the raw bytes of an upload and returns NFC-normalised Unicode text with the encoding it
was read in; the newline style is kept. Given no encoding, it detects one:

1. a byte order mark: UTF-8 (``utf-8-sig``), or UTF-16 in either byte order (``utf-16``,
   Excel's "Unicode text");
2. bytes that are valid UTF-8 are UTF-8 (``utf-8``), pure ASCII included;
3. otherwise each legacy encoding reads a sample of the lines holding non-ASCII bytes, and
   the one whose result looks most like Vietnamese wins: every word with a non-ASCII
   letter is checked against the shape of a Vietnamese syllable (onset, vowel nucleus,
   final consonant, at most one tone), and symbols stuck to letters count against it.
   A file none of them explains raises ``EncodingError``.

The legacy encodings:

``cp1258``
    Windows-1258: tone marks are mostly combining characters after the letter.
``tcvn3``
    TCVN3 or "ABC", the VN3 table of TCVN 5712:1993: ASCII plus the 67 lowercase letters
    and seven capitals (Ă Â Ê Ô Ơ Ư Đ) in 0xA1-0xFE. ABC fonts draw capitals with a tone
    through a separate capitals font using the lowercase codes, so those capitals read
    back lowercase (and ``encode_legacy`` writes them lowercase). Bytes the table leaves
    free read as in Windows-1252 (0xB0 is a degree sign, 0x93 a curly quote).
``vni``
    VNI-Windows: a letter is an ASCII base letter followed by a Windows-1252 byte that
    carries its diacritics ("aù" is á, "aá" is ấ), except ơ ư đ, the toned i's and ỵ,
    which are single bytes ("ô" is ơ, "ñ" is đ, "ó" is ĩ). Capitals use the capital
    Latin-1 forms ("AÙ" is Á, "Ñ" is Đ).

Decoding costs a codec call with a 256-entry table, plus NFC for Windows-1258's combining
marks, plus for VNI a split on one precompiled regular expression whose matches (the rest
of a field from its first base letter and diacritic byte) are each rewritten once however
often they recur, the look-ups running inside map(): no Python code runs per character or
per row.
"""

from __future__ import annotations

import codecs
import collections
import re
import unicodedata

from django.utils.translation import gettext as _

__all__ = [
    "ENCODINGS",
    "LABELS",
    "EncodingError",
    "decode_text",
    "detect_encoding",
    "encode_legacy",
]

ENCODINGS = ("utf-8-sig", "utf-8", "utf-16", "cp1258", "tcvn3", "vni")

LABELS: dict[str, str] = {
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16 (Unicode)",
    "cp1258": "Windows-1258",
    "tcvn3": "TCVN3 (ABC)",
    "vni": "VNI-Windows",
}

# Other spellings accepted for the ``encoding`` argument.
_ALIASES = {
    "utf8": "utf-8",
    "utf8-sig": "utf-8-sig",
    "utf16": "utf-16",
    "windows-1258": "cp1258",
    "tcvn": "tcvn3",
    "abc": "tcvn3",
    "vni-windows": "vni",
}


class EncodingError(ValueError):
    """The bytes are not text in a supported encoding (or not in the one asked for)."""

    code = "unreadable_encoding"

    def __init__(self, message: str | None = None):
        if message is None:
            message = _(
                "The file is not text in a known encoding (UTF-8, Windows-1258, TCVN3, VNI)."
            )
        super().__init__(message)
        self.message = message


# --- The alphabet -------------------------------------------------------------------------

# The twelve vowels, and the five tones in the order TCVN3 lays them out: huyền (grave),
# hỏi (hook above), ngã (tilde), sắc (acute), nặng (dot below).
_VOWELS = "aăâeêioôơuưy"
_TONES = "\u0300\u0309\u0303\u0301\u0323"

# vowel -> the vowel, then the vowel with each tone (lowercase, composed).
_VOWEL_ROWS = {
    vowel: [vowel] + [unicodedata.normalize("NFC", vowel + tone) for tone in _TONES]
    for vowel in _VOWELS
}

# The 67 lowercase letters Vietnamese has beyond ASCII, and their 67 capitals.
_LOWERCASE = "".join(c for row in _VOWEL_ROWS.values() for c in row if not c.isascii()) + "đ"
_UPPERCASE = _LOWERCASE.upper()
_LETTERS = frozenset(_LOWERCASE + _UPPERCASE)

# toned letter -> the letter without its tone ("ấ" -> "â"), lowercase.
_UNTONED = {row[i]: row[0] for row in _VOWEL_ROWS.values() for i in range(1, 6)}


# --- TCVN3 --------------------------------------------------------------------------------

# The byte of each letter: columns as in _VOWEL_ROWS (the vowel, then grave, hook, tilde,
# acute, dot); "--" is the ASCII vowel itself.
_TCVN3_ROWS = """
a  --  B5  B6  B7  B8  B9
ă  A8  BB  BC  BD  BE  C6
â  A9  C7  C8  C9  CA  CB
e  --  CC  CE  CF  D0  D1
ê  AA  D2  D3  D4  D5  D6
i  --  D7  D8  DC  DD  DE
o  --  DF  E1  E2  E3  E4
ô  AB  E5  E6  E7  E8  E9
ơ  AC  EA  EB  EC  ED  EE
u  --  EF  F1  F2  F3  F4
ư  AD  F5  F6  F7  F8  F9
y  --  FA  FB  FC  FD  FE
đ  AE
Ă  A1
Â  A2
Ê  A3
Ô  A4
Ơ  A5
Ư  A6
Đ  A7
"""

# --- VNI ----------------------------------------------------------------------------------

# The VNI spelling of each lowercase letter, columns as in _VOWEL_ROWS. A capital is the
# same spelling upper-cased ("aù" -> "AÙ", "ñ" -> "Ñ").
_VNI_ROWS = """
a  a   aø  aû  aõ  aù  aï
ă  aê  aè  aú  aü  aé  aë
â  aâ  aà  aå  aã  aá  aä
e  e   eø  eû  eõ  eù  eï
ê  eâ  eà  eå  eã  eá  eä
i  i   ì   æ   ó   í   ò
o  o   oø  oû  oõ  où  oï
ô  oâ  oà  oå  oã  oá  oä
ơ  ô   ôø  ôû  ôõ  ôù  ôï
u  u   uø  uû  uõ  uù  uï
ư  ö   öø  öû  öõ  öù  öï
y  y   yø  yû  yõ  yù  î
đ  ñ
"""


def _parse_rows(rows: str) -> dict[str, str]:
    """letter -> code from a table laid out like _TCVN3_ROWS, ASCII letters left out."""
    table = {}
    for line in rows.strip().splitlines():
        head, *codes = line.split()
        for letter, code in zip(_VOWEL_ROWS.get(head, [head]), codes, strict=True):
            if not letter.isascii():
                table[letter] = code
    return table


# letter -> TCVN3 byte, for the 74 letters TCVN3 has.
_TCVN3_BYTES = {letter: int(code, 16) for letter, code in _parse_rows(_TCVN3_ROWS).items()}

# letter -> VNI spelling (one or two Windows-1252 characters), for all 134 letters.
_VNI_SPELLINGS = {}
for _letter, _spelling in _parse_rows(_VNI_ROWS).items():
    _VNI_SPELLINGS[_letter] = _spelling
    _VNI_SPELLINGS[_letter.upper()] = _spelling.upper()


# --- Windows-1258 -------------------------------------------------------------------------


def _cp1258_spelling(letter: str) -> str:
    """The letter as Windows-1258 writes it: precomposed where the code page has it,
    otherwise the untoned letter and a combining tone mark."""
    try:
        letter.encode("cp1258")
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFD", letter)
        tone = next(mark for mark in decomposed if mark in _TONES)
        return unicodedata.normalize("NFC", decomposed.replace(tone, "")) + tone
    return letter


_CP1258_SPELLINGS = {letter: _cp1258_spelling(letter) for letter in _LOWERCASE + _UPPERCASE}


# --- Codec tables -------------------------------------------------------------------------

_UNDEFINED = "\ufffe"  # an undefined byte, for codecs.charmap_decode


def _cp1252_table() -> list[str]:
    return [
        bytes([b]).decode("cp1252", "replace").replace("\ufffd", _UNDEFINED) for b in range(256)
    ]


def _tcvn3_table() -> str:
    table = _cp1252_table()
    for letter, byte in _TCVN3_BYTES.items():
        table[byte] = letter
    return "".join(table)


def _vni_table() -> str:
    # The single-byte letters are read here; the diacritic bytes keep their Windows-1252
    # characters and are joined to the base letter before them by _VNI_PAIR.
    table = _cp1252_table()
    for letter, spelling in _VNI_SPELLINGS.items():
        if len(spelling) == 1:
            table[ord(spelling)] = letter
    return "".join(table)


_TCVN3_DECODING = _tcvn3_table()
# Some free bytes read as a Vietnamese letter in Windows-1252 (0xE0 is "à"); writing, a
# letter always takes its TCVN3 byte.
_TCVN3_ENCODING = codecs.charmap_build(
    "".join(
        _UNDEFINED if char in _LETTERS and _TCVN3_BYTES.get(char) != byte else char
        for byte, char in enumerate(_TCVN3_DECODING)
    )
)
_VNI_DECODING = _vni_table()

# Bytes each legacy encoding leaves undefined.
_UNDEFINED_BYTES = {
    "cp1258": bytes(b for b in range(256) if bytes([b]).decode("cp1258", "replace") == "\ufffd"),
    "tcvn3": bytes(b for b, char in enumerate(_TCVN3_DECODING) if char == _UNDEFINED),
    "vni": bytes(b for b, char in enumerate(_VNI_DECODING) if char == _UNDEFINED),
}
_DEFINED_BYTES = {
    encoding: bytes(b for b in range(256) if b not in undefined)
    for encoding, undefined in _UNDEFINED_BYTES.items()
}


def _vni_pairs() -> dict[str, str]:
    """Two-character VNI spelling -> letter, as the text reads after _VNI_DECODING (which
    has already turned "ô" into "ơ" and "ö" into "ư")."""
    read = {_VNI_SPELLINGS[c]: c for c in "ơưƠƯ"}
    pairs = {}
    for letter, spelling in _VNI_SPELLINGS.items():
        if len(spelling) == 2:
            pairs[read.get(spelling[0], spelling[0]) + spelling[1]] = letter
    # A base and a diacritic byte of different case (what a change of case in a
    # spreadsheet does to VNI text: "Aùnh") take the case of the base.
    for (base, mark), letter in list(pairs.items()):
        pairs.setdefault(base + mark.swapcase(), letter)
    return pairs


_VNI_PAIRS = _vni_pairs()
_VNI_BASES = re.escape("".join(sorted({pair[0] for pair in _VNI_PAIRS})))
_VNI_MARKS = re.escape("".join(sorted({pair[1] for pair in _VNI_PAIRS})))
# A base letter and a diacritic byte, as the text reads after _VNI_DECODING.
_VNI_PAIR = re.compile(f"[{_VNI_BASES}][{_VNI_MARKS}]")
# From the first pair in a field to the end of the field: what decoding rewrites, once per
# distinct field, since the same names and units come back row after row.
_VNI_FIELD = re.compile(f'([{_VNI_BASES}][{_VNI_MARKS}][^\\x00-\\x1f,;|"]*)')

_TCVN3_FOLD = str.maketrans(
    {cap: low for low, cap in zip(_LOWERCASE, _UPPERCASE, strict=True) if cap not in _TCVN3_BYTES}
)
_VNI_ENCODE = str.maketrans(_VNI_SPELLINGS)
_CP1258_ENCODE = str.maketrans(
    {letter: spelling for letter, spelling in _CP1258_SPELLINGS.items() if spelling != letter}
)


def _join_vni_pair(match: re.Match[str]) -> str:
    pair = match[0]
    return _VNI_PAIRS.get(pair, pair)  # "eê" is no letter: leave it


def _join_vni_pairs(field: str) -> str:
    return _VNI_PAIR.sub(_join_vni_pair, field)


class _Memo(dict):
    """function(key), computed once per key."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, key):
        value = self[key] = self.function(key)
        return value


def _rewrite_fields(text: str, field: re.Pattern[str], rewrite) -> str:
    """``text`` with every match of ``field`` (one capturing group) rewritten.

    A rewrite runs once per distinct field; the look-ups run inside map(), so a large file
    costs a regular-expression split and a join per megabyte, not Python code per field.
    """
    memo = _Memo(rewrite)
    pieces = []
    start = 0
    while start < len(text):  # about a megabyte at a time, cut at a line end
        end = text.find("\n", start + (1 << 20))
        end = len(text) if end == -1 else end + 1
        parts = field.split(text[start:end])
        parts[1::2] = map(memo.__getitem__, parts[1::2])
        pieces.append("".join(parts))
        start = end
    return "".join(pieces)


def _decode_cp1258(data: bytes) -> str:
    return unicodedata.normalize("NFC", data.decode("cp1258"))  # joins the tone marks


def _decode_tcvn3(data: bytes) -> str:
    text = codecs.charmap_decode(data, "strict", _TCVN3_DECODING)[0]
    return unicodedata.normalize("NFC", text)


def _decode_vni(data: bytes) -> str:
    text = codecs.charmap_decode(data, "strict", _VNI_DECODING)[0]
    return unicodedata.normalize("NFC", _rewrite_fields(text, _VNI_FIELD, _join_vni_pairs))


_LEGACY_DECODERS = {"cp1258": _decode_cp1258, "tcvn3": _decode_tcvn3, "vni": _decode_vni}


# --- How Vietnamese a text looks ----------------------------------------------------------

# A syllable without its tone: an onset, then a rhyme, the vowels before each final
# consonant being those Vietnamese spelling allows there ("k" for the names from minority
# languages, Đắk Lắk).
_SYLLABLE = re.compile(
    "(?P<onset>ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    "(?P<rhyme>"
    "(?:ai|ao|au|ay|âu|ây|eo|êu|ia|iu|oi|ôi|ơi|ui|ưa|ưi|ưu|ua|uôi|ươi|ươu|iêu|yêu"
    "|oai|oay|oao|uây|uya|uyu|oeo|uơ|oa|oe|uê|uy|[aeêioôơuưy])"
    "|(?:oa|uê|uy|[aêiy])(?:nh|ch)"
    "|(?:iê|uô|ươ|oa|oă|uâ|oo|[aăâeoôuư])(?:ng|c)"
    "|(?:iê|yê|uô|ươ|oa|oă|[aăâeêioôơu])[mp]"
    "|(?:uyê|iê|yê|uô|ươ|oa|oă|oe|uâ|uy|uê|[aăâeêioôơuư])[nt]"
    "|[aăâôơu]k"
    "|(?<=gi)ê(?:ng|c|[mpnt])"  # giếng, giết: "gi" + "iê" is written "giê"
    ")"
)
_FINAL = re.compile("(?:ng|nh|ch|[cmnptk])$")
# Open rhymes of two vowels whose tone may go on either (hoà and hòa, thuý and thúy) or
# goes on the second (huế, thuở); in any other open rhyme it is never on the last vowel.
_EITHER = frozenset(("oa", "oe", "uy", "uê", "uơ"))


# Frequent syllables, province names and the words of statistics first: a reading that
# finds them is likelier than one that finds rarer, merely well-formed syllables.
_COMMON_WORDS = """
bà rịa vũng tàu bắc kạn bạc liêu bến bình định dương phước thuận cà cần thơ bằng đà
nẵng đắk lắk nông điện biên đồng tháp hà nội tĩnh hải phòng hậu hòa hoà hưng yên khánh
kiên châu lâm lạng sơn lào nghệ phú thọ quảng ngãi trị sóc trăng tây thái nguyên hóa
hoá thừa thiên huế tiền thành phố hồ chí trà tuyên vĩnh phúc bái tổng sản phẩm trên
địa bàn giá hiện hành sánh chỉ số tiêu dùng người ước tính tỷ tỉ nghìn ngàn triệu tấn
dân động việc làm thất nghiệp lệ hộ nghèo xuất khẩu nhập hàng dịch vụ vốn đầu tư phát
triển toàn xã hội đăng ký lập mới giải thể lượng lúa ngô sắn thủy thuỷ nuôi trồng thác
chăn trâu bò lợn cầm diện tích cây hằng năm lâu rừng tập khách quốc tế bán lẻ lưu trú
ăn uống vận tải luân chuyển ngân sách nhà nước thường xuyên bệnh viện giường bác sĩ
học giáo viên trường mầm tiểu cơ sở phổ thông đại đẳng ủy uỷ nhân huyện quận thị
phường trấn cục thống kê báo cáo tháng quý kỳ đơn vị mã chú biểu kiểm thủ trưởng ngày
của và các có là được không những một này với để đã đến về từ như thì công nhiều tại
đó phải hơn nhưng nên sẽ lại cũng họ đi vào bị nhất cả tất điều mình việt ông chị
chúng tôi đây gì nào ở đang vẫn còn rất đều chưa giờ nếu vì mà sự cùng tới hết trước
giữa ngoài dưới tiếp tục tăng giảm kế hoạch thực đạt mức quân tốc độ gốc tương ứng
phần trăm lần nhóm ngành xây dựng thương mại tài chính bảo hiểm bất dục đào tạo văn
lịch khí đốt thải rác quản lý cuối lũy thuế trợ cấp vực gạo thịt trứng sữa cá tôm muối
đường dầu vải mặc giày gỗ giấy măng thép sắt ô tô máy bộ phương chủ tịch tướng hiệp
đoàn đảng phủ luật nghị quyết bản hướng dẫn kết quả đánh tình hình khó khăn lợi nhiệm
pháp trọng tâm miền đông duyên sông cửu hồng núi biển đảo lộc quế chế dụng kiềm vùng
sâu giới thôn làng ấp buôn khóm tổ mường
"""
_COMMON = frozenset(_COMMON_WORDS.split())
_STRIP_TONE = str.maketrans(_UNTONED)
_WORD = re.compile(r"[^\W\d_]+")
# Symbols that turn up in genuine text, next to letters too, and are no TCVN3 letter:
# no-break space, degree, plus-minus, and Windows-1252's euro sign, quotes, ellipsis,
# daggers, per mille, bullet, dashes and trade mark.
_NEUTRAL = (
    "\u00a0\u00b0\u00b1\u20ac\u201a\u201e\u2026\u2020\u2021\u2030\u2039\u203a"
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u2122"
)
# Non-ASCII characters that are neither letters, digits, spaces nor common symbols
# (combining marks left without a letter included), and control characters.
_STRAY = re.compile(f"[^\\x00-\\x7f\\w\\s{re.escape(_NEUTRAL)}]|[\\x00-\\x08\\x0e-\\x1f\\x7f]")


def _is_syllable(word: str) -> bool:
    """Whether ``word`` is spelt like a Vietnamese syllable, its tone mark included."""
    word = word.lower()
    toned = [i for i, char in enumerate(word) if char in _UNTONED]
    if len(toned) > 1:
        return False
    match = _SYLLABLE.fullmatch(word.translate(_STRIP_TONE))
    if match is None:
        return False
    if not toned:
        return True
    rhyme = match["rhyme"]
    vowels = _FINAL.sub("", rhyme)
    position = toned[0] - match.start("rhyme")  # of the tone within the vowels
    if position < 0:
        return False  # on the "i" of "gi" or the "u" of "qu"
    if len(vowels) < len(rhyme):  # a final consonant: the tone is on the vowel before it
        return position == len(vowels) - 1
    if vowels in _EITHER:
        return True
    return position == (1 if len(vowels) == 3 else 0)


def _evidence(text: str) -> tuple[int, int]:
    """(for, against) reading ``text`` as Vietnamese. For: the words with a non-ASCII
    letter that are syllables, common ones counting twice. Against: the words with a
    non-ASCII letter that are not, and the stray characters."""
    good = bad = 0
    for word, count in collections.Counter(_WORD.findall(text)).items():
        if word.isascii():
            continue
        if _is_syllable(word):
            good += count * (2 if word.lower() in _COMMON else 1)
        else:
            bad += count
    return good, bad + len(_STRAY.findall(text))


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SEPARATOR = re.compile(rb"[\s,;|]")
_SEPARATORS = (b"\n", b" ", b",", b";", b"\t", b"|")
_SAMPLE_BYTES = 64 * 1024
_WINDOW = 200


def _sample(data: bytes) -> bytes:
    """Up to about _SAMPLE_BYTES of what surrounds the non-ASCII bytes: a window of
    _WINDOW bytes either side of each, trimmed to whole words."""
    if len(data) <= _SAMPLE_BYTES:
        return data
    pieces: list[bytes] = []
    size = position = 0
    while size < _SAMPLE_BYTES and (match := _HIGH_BYTE.search(data, position)):
        start = match.start()
        low, high = max(0, start - _WINDOW), min(len(data), start + _WINDOW)
        if low and (separator := _SEPARATOR.search(data, low, start)):
            low = separator.end()
        if high < len(data):
            cut = max(data.rfind(separator, start, high) for separator in _SEPARATORS)
            if cut > start:
                high = cut
        pieces.append(data[low:high])
        size += high - low
        position = high
    return b"\n".join(pieces)


# --- The public functions -----------------------------------------------------------------


def _canonical(encoding: str) -> str:
    name = encoding.strip().lower().replace("_", "-")
    name = _ALIASES.get(name, name)
    if name not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}")
    return name


def detect_encoding(data: bytes) -> str:
    """The encoding ``data`` is in, one of ENCODINGS; ``EncodingError`` if none fits."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in data:
        raise EncodingError()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    sample = _sample(data)
    undefined: dict[bytes, bool] = {}  # TCVN3 and VNI share Windows-1252's gaps
    best = None
    for encoding in ("cp1258", "tcvn3", "vni"):  # on a tie, the first wins
        defined = _DEFINED_BYTES[encoding]
        if defined not in undefined:
            undefined[defined] = bool(data.translate(None, defined))
        if undefined[defined]:
            continue  # the data has a byte this encoding leaves undefined
        good, bad = _evidence(_LEGACY_DECODERS[encoding](sample))
        if best is None or good - bad > best[0] - best[1]:
            best = (good, bad, encoding)
    if best is None:
        raise EncodingError()
    good, bad, encoding = best
    # Accept when at least half of the evidence is for Vietnamese, or there is none either
    # way (the only non-ASCII characters are common symbols such as a degree sign).
    if good >= bad and (good or not bad):
        return encoding
    raise EncodingError()


def decode_text(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). With encoding=None, detect. Text is NFC, newline style kept.

    ``EncodingError`` when the bytes are not text in the encoding (or in any, when
    detecting); ``ValueError`` for an encoding name that is not one of ENCODINGS.
    """
    encoding = detect_encoding(data) if encoding is None else _canonical(encoding)
    try:
        if encoding in _LEGACY_DECODERS:
            text = _LEGACY_DECODERS[encoding](data)
        else:
            # Asked for UTF-8, a byte order mark is still no part of the text.
            codec = "utf-8-sig" if encoding == "utf-8" else encoding
            text = unicodedata.normalize("NFC", data.decode(codec))
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise EncodingError(
            _("The file is not valid %(encoding)s text.") % {"encoding": LABELS[encoding]}
        )
    return text, encoding


def encode_legacy(text: str, encoding: str) -> bytes:
    """``text`` in one of ENCODINGS, the legacy ones above all (for tests and tools).

    TCVN3 has no capitals with a tone and writes them lowercase. A character the encoding
    cannot hold raises ``UnicodeEncodeError``.
    """
    encoding = _canonical(encoding)
    text = unicodedata.normalize("NFC", text)
    if encoding == "tcvn3":
        return codecs.charmap_encode(text.translate(_TCVN3_FOLD), "strict", _TCVN3_ENCODING)[0]
    if encoding == "vni":
        return text.translate(_VNI_ENCODE).encode("cp1252")
    if encoding == "cp1258":
        return text.translate(_CP1258_ENCODE).encode("cp1258")
    return text.encode(encoding)
