"""Decoding and re-encoding of uploaded files, off the request path (the processing job).

Images go through Pillow, whose decompression-bomb guard refuses huge pixel counts before any
pixel is decoded; the re-encoded copy carries no metadata (EXIF, GPS, comments, text chunks), and a
preview at most 640 px wide or high is made. Audio goes through Debian's ffprobe and ffmpeg: the
streams are copied into a file without tags or cover art, and decoded once for a waveform summary.
"""
from __future__ import annotations

import json
import subprocess
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from domain.media import AUDIO, EXTENSIONS, IMAGE

PREVIEW_PX = 640
PEAKS = 100
PEAK_RATE = 8000  # samples per second decoded for the waveform: plenty for 100 bars
FFMPEG_SECONDS = 300

Image.MAX_IMAGE_PIXELS = IMAGE.max_pixels  # Pillow refuses twice this at open, before decoding


class Rejected(Exception):
    """The upload cannot become media: code and message go to the uploader."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Processed:
    mime: str
    path: Path
    preview: Path | None = None
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None
    peaks: list[int] = field(default_factory=list)


def _unreadable(kind: str) -> Rejected:
    return Rejected("media_unreadable", f"The file is not a readable {kind}.")


def process_image(src: Path, mime: str, out_dir: Path) -> Processed:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(src) as im:
                if im.width * im.height > IMAGE.max_pixels:
                    raise Rejected("media_too_large",
                                   f"Images may have at most {IMAGE.max_pixels // 1_000_000} megapixels.")
                im.load()
                return _reencode(im, mime, out_dir)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Rejected("media_too_large",
                       f"Images may have at most {IMAGE.max_pixels // 1_000_000} megapixels.") from None
    except Rejected:
        raise
    except (OSError, ValueError, SyntaxError, EOFError):
        raise _unreadable("image") from None


def _reencode(im: Image.Image, mime: str, out_dir: Path) -> Processed:
    out = out_dir / f"image.{EXTENSIONS[mime]}"
    frames = getattr(im, "n_frames", 1)
    if mime in ("image/gif", "image/webp") and frames > 1:
        keep = {k: im.info[k] for k in ("duration", "loop", "background", "transparency") if k in im.info}
        im.info = {}
        im.save(out, format=im.format, save_all=True, **keep)
        first = im.copy()
    else:
        first = ImageOps.exif_transpose(im)
        first.info = {}
        if mime == "image/jpeg":
            first.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        elif mime == "image/webp":
            first.save(out, "WEBP", quality=88)
        else:
            first.save(out, format=im.format)
    preview = out_dir / "preview.webp"
    small = first.convert("RGBA" if first.mode in ("RGBA", "LA", "P") else "RGB")
    small.thumbnail((PREVIEW_PX, PREVIEW_PX))
    small.save(preview, "WEBP", quality=80)
    return Processed(mime, out, preview, width=first.width, height=first.height)


_AUDIO_FORMATS = {  # mime -> (ffprobe's format name, accepted codecs, ffmpeg muxer)
    "audio/mpeg": ("mp3", ("mp3",), "mp3"),
    "audio/ogg": ("ogg", ("opus",), "ogg"),
    "audio/wav": ("wav", None, "wav"),
    "audio/flac": ("flac", ("flac",), "flac"),
}


def _run(argv: list[str]) -> bytes:
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=FFMPEG_SECONDS)
    if done.returncode:
        raise _unreadable("audio file")
    return done.stdout


def process_audio(src: Path, mime: str, out_dir: Path) -> Processed:
    fmt, codecs, muxer = _AUDIO_FORMATS[mime]
    probe = json.loads(_run(["ffprobe", "-v", "error", "-show_entries",
                             "format=format_name,duration:stream=codec_type,codec_name", "-of", "json", str(src)]))
    audio = [s for s in probe.get("streams", []) if s.get("codec_type") == "audio"]
    names = probe.get("format", {}).get("format_name", "").split(",")
    if not audio or fmt not in names or (codecs and audio[0].get("codec_name") not in codecs) \
            or (fmt == "wav" and not audio[0].get("codec_name", "").startswith("pcm_")):
        raise _unreadable("audio file of its kind")
    try:
        duration_ms = int(float(probe["format"]["duration"]) * 1000)
    except (KeyError, ValueError):
        raise _unreadable("audio file") from None
    if duration_ms > AUDIO.max_duration_ms:
        raise Rejected("media_too_large", f"Audio may last at most {AUDIO.max_duration_ms // 60000} minutes.")
    out = out_dir / f"audio.{EXTENSIONS[mime]}"
    _run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(src), "-map", "0:a:0", "-map_metadata", "-1",
          "-fflags", "+bitexact", "-c", "copy", "-f", muxer, "-y", str(out)])
    return Processed(mime, out, duration_ms=duration_ms, peaks=waveform(out, duration_ms))


def waveform(path: Path, duration_ms: int, bars: int = PEAKS) -> list[int]:
    """The loudest sample of each of `bars` equal slices of the sound, in percent of full scale;
    decoded as a stream, so a long file never sits in memory whole."""
    per_bar = max(1, -(-duration_ms * PEAK_RATE // 1000) // bars)
    peaks = np.zeros(bars, dtype=np.int32)
    decoder = subprocess.Popen(
        ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-ac", "1", "-ar", str(PEAK_RATE),
         "-f", "s16le", "-"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    position = 0
    rest = b""
    try:
        while block := decoder.stdout.read(1 << 16):
            block = rest + block
            usable = len(block) - len(block) % 2
            rest = block[usable:]
            samples = np.abs(np.frombuffer(block[:usable], dtype="<i2").astype(np.int32))
            bar_of = np.minimum((position + np.arange(samples.size)) // per_bar, bars - 1)
            np.maximum.at(peaks, bar_of, samples)
            position += samples.size
    finally:
        decoder.stdout.close()
        if decoder.wait(timeout=FFMPEG_SECONDS):
            raise _unreadable("audio file")
    return [int(p) for p in np.minimum(100, peaks * 100 // 32767)]
