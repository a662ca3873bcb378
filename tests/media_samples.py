"""Media files made by the tests themselves: Pillow images (one with GPS in its EXIF), a WAV from
the wave module, MP3 and Ogg/Opus encoded by the ffmpeg that the stack installs, and bad ones."""
from __future__ import annotations

import io
import struct
import subprocess
import wave
import zlib

import numpy as np
from PIL import Image

GPS_IFD = 0x8825


def png(width: int = 64, height: int = 48, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 800, height: int = 600, quality: int = 90) -> bytes:
    """A JPEG whose EXIF names a camera and a place (GPS latitude and longitude)."""
    im = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "TestCam"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def wav(seconds: float = 1.0, rate: int = 8000, freq: float = 440.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        t = np.arange(int(seconds * rate)) / rate
        w.writeframes((16000 * np.sin(2 * np.pi * freq * t) * (t / seconds)).astype("<i2").tobytes())
    return out.getvalue()


def encoded(source_wav: bytes, fmt: str, *args: str) -> bytes:
    """source_wav encoded by ffmpeg into fmt (mp3, ogg with libopus, flac), with a title tag."""
    done = subprocess.run(["ffmpeg", "-v", "error", "-f", "wav", "-i", "-", *args,
                           "-metadata", "title=secret title", "-f", fmt, "-"],
                          input=source_wav, capture_output=True, check=True)
    return done.stdout


def mp3(seconds: float = 1.0) -> bytes:
    return encoded(wav(seconds, 22050), "mp3", "-c:a", "libmp3lame", "-b:a", "64k")


def ogg_opus(seconds: float = 1.0) -> bytes:
    return encoded(wav(seconds, 48000), "ogg", "-c:a", "libopus", "-b:a", "32k")


def png_bomb(side: int = 50_000) -> bytes:
    """A valid PNG of side x side one-bit pixels, all black: a few hundred KiB that would decode to
    gigapixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(side)) + z.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def windows_exe() -> bytes:
    """The start of a Windows executable (an MZ header), as if renamed photo.png."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(2000)
