"""Reading uploads in UTF-8, UTF-16 and the legacy Vietnamese encodings."""

import codecs
import unicodedata

import pytest
from django.utils import translation

from dieuhanh.datavalues.encodings import (
    ENCODINGS,
    LABELS,
    EncodingError,
    decode_text,
    detect_encoding,
    encode_legacy,
)

# The 67 lowercase letters Vietnamese has beyond ASCII, typed out (not generated).
LOWERCASE = (
    "àảãáạ" "ăằẳẵắặ" "âầẩẫấậ" "đ" "èẻẽéẹ" "êềểễếệ" "ìỉĩíị" "òỏõóọ" "ôồổỗốộ" "ơờởỡớợ"
    "ùủũúụ" "ưừửữứự" "ỳỷỹýỵ"
)  # fmt: skip
UPPERCASE = LOWERCASE.upper()
LETTERS = LOWERCASE + UPPERCASE
TCVN3_CAPITALS = "ĂÂÊÔƠƯĐ"  # the only capitals TCVN3 has

# Every letter inside words, next to ASCII letters, digits, punctuation and a CRLF.
ALPHABET_TEXT = "\r\n".join(
    [
        "Bảng chữ cái: " + " ".join(LOWERCASE),
        "HOA: " + "".join(UPPERCASE),
        "ASCII: The quick brown fox 0123456789 ,;.-_()%",
        "",
    ]
)

PROVINCES = [
    "Thành phố Hồ Chí Minh",
    "Tỉnh Đắk Lắk",
    "Bà Rịa - Vũng Tàu",
    "Thừa Thiên Huế",
    "Quảng Ngãi",
]


def csv_rows(*rows):
    return "ma_chi_tieu,don_vi,ky,gia_tri\r\n" + "".join(f"{row}\r\n" for row in rows)


CSV_SAMPLES = [
    # The province is the only Vietnamese in the file...
    *(csv_rows(f"GRDP,{name},2023,1234567.8", f"DS,{name},2023,98765") for name in PROVINCES),
    # ...or comes with the names of indicators and units.
    *(
        csv_rows(
            f"Tổng sản phẩm trên địa bàn,{name},2023,1234567.8",
            f"Chỉ số giá tiêu dùng,{name},2023Q4,103.25",
        )
        for name in PROVINCES
    ),
    csv_rows("Người,Thừa Thiên Huế,2023,1160220", "Ước tính Đồng,Quảng Ngãi,2024,1.5"),
]


def nfc(text):
    return unicodedata.normalize("NFC", text)


def test_the_test_alphabet_is_the_134_letters():
    assert len(LOWERCASE) == 67
    assert len(set(LETTERS)) == 134
    assert nfc(LETTERS) == LETTERS
    assert UPPERCASE.lower() == LOWERCASE


def test_every_encoding_has_a_label():
    assert ENCODINGS == ("utf-8-sig", "utf-8", "utf-16", "cp1258", "tcvn3", "vni")
    assert set(LABELS) == set(ENCODINGS)
    assert LABELS["tcvn3"] == "TCVN3 (ABC)"


# --- Round trips -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1258", "vni"])
def test_all_134_letters_survive_a_round_trip(encoding):
    data = encode_legacy(ALPHABET_TEXT, encoding)
    assert data.isascii() is False
    assert decode_text(data, encoding) == (ALPHABET_TEXT, encoding)
    assert decode_text(data) == (ALPHABET_TEXT, encoding)


def test_tcvn3_round_trip_of_its_74_letters_and_capitals_fold_to_lowercase():
    text = "Chữ: " + LOWERCASE + " " + TCVN3_CAPITALS + "\r\nĐỒNG BẰNG SÔNG CỬU LONG\r\n"
    data = encode_legacy(text, "tcvn3")
    expected = "Chữ: " + LOWERCASE + " " + TCVN3_CAPITALS + "\r\nĐồNG BằNG SÔNG CửU LONG\r\n"
    assert decode_text(data, "tcvn3") == (expected, "tcvn3")
    assert decode_text(data) == (expected, "tcvn3")
    capitals = encode_legacy(UPPERCASE, "tcvn3")
    assert decode_text(capitals, "tcvn3")[0] == "".join(
        c if c in TCVN3_CAPITALS else c.lower() for c in UPPERCASE
    )


def test_a_long_text_round_trips_in_every_legacy_encoding():
    text = ("Dòng " + LOWERCASE + ", số 12.345,6; “trích dẫn” \u2013 ghi chú…\n") * 5000
    for encoding in ("cp1258", "tcvn3", "vni"):
        assert decode_text(encode_legacy(text, encoding)) == (text, encoding)


# --- TCVN3 -----------------------------------------------------------------------------------


def test_tcvn3_gives_each_letter_its_own_byte():
    codes = {letter: encode_legacy(letter, "tcvn3") for letter in LOWERCASE + TCVN3_CAPITALS}
    assert all(len(code) == 1 and code[0] >= 0xA1 for code in codes.values())
    assert len(set(codes.values())) == 74
    assert {letter: codes[letter][0] for letter in "áàảãạăâđêôơư"} == {
        "á": 0xB8,
        "à": 0xB5,
        "ả": 0xB6,
        "ã": 0xB7,
        "ạ": 0xB9,
        "ă": 0xA8,
        "â": 0xA9,
        "đ": 0xAE,
        "ê": 0xAA,
        "ô": 0xAB,
        "ơ": 0xAC,
        "ư": 0xAD,
    }
    assert encode_legacy(TCVN3_CAPITALS, "tcvn3") == bytes(
        [0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7]
    )


def test_tcvn3_lays_the_toned_vowels_out_in_alphabetical_order():
    # TCVN 5712 sorts the toned vowels: a ă â e ê i o ô ơ u ư y, each with grave, hook,
    # tilde, acute, dot, in rising byte order.
    toned = [
        nfc(vowel + tone) for vowel in "aăâeêioôơuưy" for tone in "\u0300\u0309\u0303\u0301\u0323"
    ]
    codes = [encode_legacy(letter, "tcvn3")[0] for letter in toned]
    assert codes == sorted(codes)
    assert len(set(codes)) == 60
    assert (codes[0], codes[-1]) == (0xB5, 0xFE)


@pytest.mark.parametrize(
    ("seen_as_windows_1252", "meant"),
    [
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("B¶o Th¾ng, B¸t X¸t, Ninh B×nh", "Bảo Thắng, Bát Xát, Ninh Bình"),  # noqa: RUF001
        ("UBND tØnh Qu¶ng Ng·i", "UBND tỉnh Quảng Ngãi"),
    ],
)
def test_tcvn3_reads_text_as_found_in_old_documents(seen_as_windows_1252, meant):
    data = seen_as_windows_1252.encode("cp1252")
    assert decode_text(data) == (meant, "tcvn3")


def test_tcvn3_reads_bytes_outside_its_table_as_windows_1252():
    data = b"Nhi\xd6t \xae\xe9 25\xb0C \x93trung b\xd7nh\x94"
    assert decode_text(data, "tcvn3") == ("Nhiệt độ 25°C “trung bình”", "tcvn3")


# --- VNI -------------------------------------------------------------------------------------

# The diacritic bytes of VNI by what they add to the base letter, from the VNI layout.
VNI_TONES = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
VNI_CIRCUMFLEX = {
    "": "â",
    "\u0301": "á",
    "\u0300": "à",
    "\u0309": "å",
    "\u0303": "ã",
    "\u0323": "ä",
}
VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def vni_spelling(letter):
    """The VNI spelling worked out from the letter's parts, independently of the module."""
    if letter.lower() == "đ":
        return "ñ" if letter.islower() else "Ñ"
    base, *marks = unicodedata.normalize("NFD", letter.lower())
    tone = next((mark for mark in marks if mark in VNI_TONES and mark), "")
    if "\u031b" in marks:  # horn: ơ ư are single bytes
        spelling = {"o": "ô", "u": "ö"}[base] + VNI_TONES[tone]
    elif "\u0302" in marks:
        spelling = base + VNI_CIRCUMFLEX[tone]
    elif "\u0306" in marks:
        spelling = base + VNI_BREVE[tone]
    elif base == "i":
        spelling = VNI_I[tone]
    elif base == "y" and tone == "\u0323":
        spelling = "î"
    else:
        spelling = base + VNI_TONES[tone]
    return spelling if letter.islower() else spelling.upper()


@pytest.mark.parametrize("letter", list(LETTERS))
def test_vni_spells_each_letter_as_the_layout_says(letter):
    assert encode_legacy(letter, "vni").decode("cp1252") == vni_spelling(letter)


def test_vni_spellings_given_in_the_brief():
    spellings = {
        "á": "aù", "à": "aø", "ả": "aû", "ã": "aõ", "ạ": "aï",
        "â": "aâ", "ấ": "aá", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
        "ă": "aê", "ắ": "aé", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
        "ơ": "ô", "ư": "ö", "đ": "ñ", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò",
        "Á": "AÙ", "Đ": "Ñ", "Ơ": "Ô", "Ư": "Ö",
    }  # fmt: skip
    assert {letter: encode_legacy(letter, "vni").decode("cp1252") for letter in spellings} == (
        spellings
    )
    assert len({encode_legacy(letter, "vni") for letter in LETTERS}) == 134


@pytest.mark.parametrize(
    ("seen_as_windows_1252", "meant"),
    [
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("Xin chaøo caùc baïn", "Xin chào các bạn"),
    ],
)
def test_vni_reads_text_as_found_in_old_documents(seen_as_windows_1252, meant):
    assert decode_text(seen_as_windows_1252.encode("cp1252")) == (meant, "vni")


def test_vni_keeps_the_case_of_the_base_letter_when_the_diacritic_byte_differs():
    # What PROPER() or UPPER() in a spreadsheet does to VNI text.
    data = "Aùnh saùng, NGÖÔØI, Ñoàng Thaùp, tIEÁNG".encode("cp1252")
    assert decode_text(data, "vni") == ("Ánh sáng, NGƯỜI, Đồng Tháp, tIẾNG", "vni")


def test_vni_leaves_a_diacritic_byte_that_fits_no_letter():
    assert decode_text("eê bâ 100%".encode("cp1252"), "vni") == ("eê bâ 100%", "vni")


# --- Windows-1258 ----------------------------------------------------------------------------


def test_windows_1258_writes_tones_as_combining_marks_and_reads_them_back_composed():
    assert encode_legacy("á", "cp1258") == b"\xe1"  # the code page has it precomposed
    assert encode_legacy("ả", "cp1258") == b"a\xd2"  # a + combining hook above
    assert encode_legacy("ặ", "cp1258") == b"\xe3\xf2"  # ă + combining dot below
    assert decode_text(b"Qua\xd2ng Nga\xdei", "cp1258") == ("Quảng Ngãi", "cp1258")
    # A writer that decomposes everything reads the same.
    assert decode_text(b"Tha\xccnh ph\xf4\xec", "cp1258") == ("Thành phố", "cp1258")


# --- Detection -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1258", "tcvn3", "vni"])
@pytest.mark.parametrize("text", CSV_SAMPLES)
def test_short_csv_files_are_detected_in_each_legacy_encoding(text, encoding):
    data = encode_legacy(text, encoding)
    assert detect_encoding(data) == encoding
    assert decode_text(data) == (text, encoding)


@pytest.mark.parametrize("encoding", ["cp1258", "tcvn3", "vni"])
@pytest.mark.parametrize("name", PROVINCES)
def test_a_single_province_name_is_detected(name, encoding):
    assert decode_text(encode_legacy(name, encoding)) == (name, encoding)


def test_detection_looks_past_a_long_ascii_start():
    text = "ma_chi_tieu,don_vi,ky,gia_tri\n" + "GRDP,HN,2023,1.5\n" * 20_000
    text += "Ghi chú,Ước tính của Cục Thống kê tỉnh Quảng Ngãi,2023,0\n"
    for encoding in ("cp1258", "tcvn3", "vni"):
        data = encode_legacy(text, encoding)
        assert len(data) > 300_000
        assert decode_text(data) == (text, encoding)


def test_a_large_file_is_read_whole():
    rows = [f"CT{i:04d},{PROVINCES[i % 5]},2023,{i * 1.5}\r\n" for i in range(50_000)]
    text = "ma_chi_tieu,don_vi,ky,gia_tri\r\n" + "".join(rows)
    for encoding in ("cp1258", "tcvn3", "vni"):
        decoded, used = decode_text(encode_legacy(text, encoding))
        assert used == encoding
        assert decoded == text


def test_utf8_with_a_byte_order_mark():
    text = csv_rows("GRDP,Thừa Thiên Huế,2023,1.5")
    assert detect_encoding(codecs.BOM_UTF8 + text.encode()) == "utf-8-sig"
    assert decode_text(codecs.BOM_UTF8 + text.encode()) == (text, "utf-8-sig")


def test_utf8_without_a_byte_order_mark_is_normalised_to_nfc():
    text = csv_rows("GRDP,Bà Rịa - Vũng Tàu,2023,1.5")
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert decode_text(decomposed.encode()) == (text, "utf-8")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_in_either_byte_order(codec):
    text = "ma_chi_tieu\tdon_vi\r\nGRDP\tTỉnh Đắk Lắk\r\n"
    data = "\ufeff".encode(codec) + text.encode(codec)
    assert detect_encoding(data) == "utf-16"
    assert decode_text(data) == (text, "utf-16")


def test_pure_ascii_is_utf8():
    data = b"ma_chi_tieu,don_vi,ky,gia_tri\nGRDP,HCM,2023,1.5\n"
    assert decode_text(data) == (data.decode(), "utf-8")


def test_empty_bytes():
    assert decode_text(b"") == ("", "utf-8")


def test_newline_style_is_kept():
    for newline in ("\r\n", "\n", "\r"):
        text = f"a,b{newline}Người,Đồng{newline}"
        for encoding in ("utf-8", "cp1258", "tcvn3", "vni"):
            assert decode_text(encode_legacy(text, encoding))[0] == text


# --- An explicit encoding --------------------------------------------------------------------


def test_an_explicit_encoding_is_used_as_given():
    data = encode_legacy("Quảng Ngãi", "vni")
    assert decode_text(data, "vni") == ("Quảng Ngãi", "vni")
    assert decode_text(data, "cp1258") == ("Quaûng Ngaơi", "cp1258")  # õ is ơ there


def test_an_explicit_encoding_may_be_spelt_differently():
    data = encode_legacy("Đồng", "cp1258")
    assert decode_text(data, "Windows-1258") == ("Đồng", "cp1258")
    assert decode_text("Đồng".encode(), "UTF8") == ("Đồng", "utf-8")


def test_explicit_utf8_drops_a_byte_order_mark():
    assert decode_text(codecs.BOM_UTF8 + "Huế".encode(), "utf-8") == ("Huế", "utf-8")


def test_an_unknown_encoding_name_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown encoding 'latin-9'") as raised:
        decode_text(b"abc", "latin-9")
    assert not isinstance(raised.value, EncodingError)


def test_bytes_invalid_in_the_explicit_encoding_raise():
    with translation.override("en"), pytest.raises(EncodingError) as raised:
        decode_text(b"Hu\xe1\xba", "utf-8")
    assert raised.value.code == "unreadable_encoding"
    assert str(raised.value) == "The file is not valid UTF-8 text."
    with pytest.raises(EncodingError):
        decode_text(b"abc \x81", "vni")  # undefined in Windows-1252, so in VNI
    with pytest.raises(EncodingError):
        decode_text(b"abc \x8a", "cp1258")


# --- Unreadable files ------------------------------------------------------------------------


def test_binary_data_is_not_text():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"
    with translation.override("en"), pytest.raises(EncodingError) as raised:
        decode_text(png)
    assert raised.value.code == "unreadable_encoding"
    assert str(raised.value) == (
        "The file is not text in a known encoding (UTF-8, Windows-1258, TCVN3, VNI)."
    )
    with pytest.raises(EncodingError):
        detect_encoding(bytes(range(256)) * 4)


def test_high_bytes_that_spell_nothing_are_not_text():
    noise = bytes((i * 151 + 7) % 94 + 0xA0 for i in range(300))  # high bytes, no NUL
    with pytest.raises(EncodingError):
        decode_text(noise)


def test_a_utf16_file_that_is_cut_short_is_not_text():
    data = codecs.BOM_UTF16_LE + "Huế".encode("utf-16-le")[:-1]
    with pytest.raises(EncodingError):
        decode_text(data)
