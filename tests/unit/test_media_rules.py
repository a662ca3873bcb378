"""Media rules without services: type sniffing, chunk arithmetic, Range parsing."""
import pytest

from domain.errors import RangeNotSatisfiable
from domain.media import chunk_count, chunk_length, missing_chunks, parse_range, sniff
from tests import media_samples


@pytest.mark.parametrize("data, expected", [
    (media_samples.png(), ("image", "image/png")),
    (media_samples.jpeg_with_gps(40, 30), ("image", "image/jpeg")),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", ("image", "image/webp")),
    (b"GIF89a\x01\x00", ("image", "image/gif")),
    (media_samples.wav(0.1), ("audio", "audio/wav")),
    (b"fLaC\x00\x00\x00\x22", ("audio", "audio/flac")),
    (b"ID3\x04\x00\x00\x00\x00\x00\x00", ("audio", "audio/mpeg")),
    (b"\xff\xfb\x90\x64\x00", ("audio", "audio/mpeg")),
    (b"OggS\x00\x02" + bytes(22) + b"\x13OpusHead\x01", ("audio", "audio/ogg")),
])
def test_sniff_tells_the_type_from_leading_bytes(data, expected):
    assert sniff(data[:64]) == expected


@pytest.mark.parametrize("data", [
    media_samples.windows_exe(), b"", b"hello world", b"OggS\x00\x02" + bytes(22) + b"\x01vorbis",
    b"RIFF\x10\x00\x00\x00AVI LIST", b"\xff\xf9\x00",  # AAC ADTS: frame sync, but layer bits 00
])
def test_sniff_refuses_anything_else(data):
    assert sniff(data[:64]) is None


def test_chunk_arithmetic_with_a_short_last_chunk():
    assert chunk_count(10, 4) == 3
    assert [chunk_length(i, 10, 4) for i in range(3)] == [4, 4, 2]
    assert chunk_count(8, 4) == 2 and chunk_length(1, 8, 4) == 4
    assert missing_chunks(10, 4, {1}) == [0, 2]
    assert missing_chunks(10, 4, {0, 1, 2}) == []


@pytest.mark.parametrize("header, expected", [
    (None, None),
    ("bytes=0-0", (0, 0)),
    ("bytes=0-99", (0, 99)),
    ("bytes=10-", (10, 99)),
    ("bytes=-10", (90, 99)),
    ("bytes=-500", (0, 99)),
    ("bytes=50-5000", (50, 99)),
    (" bytes=1-2 ", (1, 2)),
])
def test_parse_range_of_a_100_byte_file(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", [
    "bytes=", "bytes=-", "bytes=abc-", "items=0-1", "bytes=5-2", "bytes=100-", "bytes=100-200",
    "bytes=-0", "bytes=0-1,5-6", "bytes=0x1-2", "0-1",
])
def test_parse_range_refuses_malformed_inverted_and_past_the_end(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)
