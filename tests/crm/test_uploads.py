"""The one upload check: size, extension and content, with messages naming the file and the field."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from crm.uploads import check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _error(upload, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(upload, **kwargs)
    return caught.value


def test_accepted_files_return_their_content_type():
    assert check_upload(SimpleUploadedFile("a.png", PNG), allowed=["png"], max_bytes=1000) == "image/png"
    docx = check_upload(SimpleUploadedFile("b.DOCX", _docx()), allowed=[".docx"], max_bytes=10_000)
    assert docx.endswith("wordprocessingml.document")
    assert check_upload(SimpleUploadedFile("c.txt", "你好".encode()), allowed=["txt"], max_bytes=100) == "text/plain"


def test_a_renamed_file_is_refused_by_its_content_naming_field_and_file():
    error = _error(SimpleUploadedFile("photo.png", b"MZ\x90\x00" * 8), allowed=["png"], max_bytes=1000, field="poster")
    message = " ".join(error.message_dict["poster"])
    assert "photo.png" in message and "PNG" in message


def test_binary_posing_as_text_is_refused():
    error = _error(SimpleUploadedFile("notes.txt", b"\xff\xfe\x00\x00bin"), allowed=["txt"], max_bytes=100)
    assert "notes.txt" in error.messages[0]


def test_an_extension_not_allowed_lists_what_is():
    error = _error(SimpleUploadedFile("tool.exe", b"MZ"), allowed=["pdf", "png"], max_bytes=100, field="file")
    assert "tool.exe" in error.message_dict["file"][0] and "pdf, png" in error.message_dict["file"][0]


def test_the_size_limit_is_checked_first():
    error = _error(SimpleUploadedFile("big.png", PNG), allowed=["png"], max_bytes=10)
    assert "big.png" in error.messages[0] and "10\xa0bytes" in error.messages[0]


def test_a_kind_without_a_content_check_is_a_programming_error():
    with pytest.raises(ValueError, match="exe"):
        check_upload(SimpleUploadedFile("a.exe", b"MZ"), allowed=["exe"], max_bytes=10)


def test_a_gbk_csv_is_text_and_a_zip_posing_as_csv_is_not():
    gbk = "名称,电话\n华信科技,021-1\n".encode("gbk")
    assert check_upload(SimpleUploadedFile("a.csv", gbk), allowed=["csv"], max_bytes=1000) == "text/csv"
    error = _error(SimpleUploadedFile("b.csv", _docx()), allowed=["csv"], max_bytes=10_000)
    assert "not CSV text" in error.messages[0]


def test_an_empty_file_is_refused():
    assert "empty" in _error(SimpleUploadedFile("a.csv", b""), allowed=["csv"], max_bytes=10).messages[0]


def test_the_name_given_stands_for_a_stored_files_own_name():
    """A queued import reads a file stored under another name: the check and its message use the given one."""
    stored = io.BytesIO(b"name\nAcme\n")
    assert check_upload(stored, allowed=["csv"], max_bytes=100, name="customers.csv") == "text/csv"
    error = _error(io.BytesIO(b"name\n"), allowed=["xlsx"], max_bytes=100, name="customers.csv")
    assert "customers.csv" in error.messages[0]
