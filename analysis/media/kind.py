"""Decide what kind of media a file is from its content, never from its name.

Evidence arrives renamed, re-uploaded and stripped of extensions, so the name is not trusted.
The decision has two steps: the file's signature ("magic bytes", as listed in each format's
specification: JPEG ITU T.81 SOI marker, PNG 8-byte signature, ISO/IEC 14496-12 ``ftyp`` box,
EBML header of Matroska, RIFF form types, MPEG-TS sync bytes) proposes a kind, then a real open
with Pillow (images) or PyAV/FFmpeg (videos) confirms it. A file whose signature is known but
which does not open is reported as corrupt; anything else is reported as unsupported with a
description of what it looks like (text, ZIP archive, audio only, ...).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from analysis.errors import CorruptMediaError, MediaError, UnsupportedMediaError

MediaKind = Literal["image", "video"]

HEAD_BYTES = 4096

# ISO base media file format brands (ftyp major/compatible brands) of still-image formats.
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"hevc", b"hevx"}
_AVIF_BRANDS = {b"avif", b"avis"}
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

# PyAV demuxers that accept almost anything by file name; a match by them proves nothing.
_WEAK_DEMUXERS = {"image2", "image2pipe", "tty", "lrc", "srt", "webvtt", "txt", "ass"}

_PIL_EXTENSIONS = {
    "JPEG": ".jpg",
    "MPO": ".jpg",
    "PNG": ".png",
    "GIF": ".gif",
    "BMP": ".bmp",
    "TIFF": ".tif",
    "WEBP": ".webp",
    "HEIF": ".heic",
    "AVIF": ".avif",
}


@dataclass(frozen=True)
class Signature:
    """What the first bytes of a file say it is.

    Attributes:
        kind: "image", "video", "audio" (maybe video inside, needs a real open) or "other".
        description: human words for error messages ("a ZIP archive").
        extension: the usual extension of that format, with the dot, or None.
    """

    kind: Literal["image", "video", "audio", "other", "unknown"]
    description: str
    extension: str | None = None


def _ftyp_signature(head: bytes) -> Signature | None:
    """ISO/IEC 14496-12: a file starts with a box ``size, 'ftyp', major brand, ...``."""
    if head[4:8] != b"ftyp":
        if head[4:8] in _QUICKTIME_ATOMS:
            return Signature("video", "a QuickTime movie", ".mov")
        return None
    major = head[8:12]
    box_size = int.from_bytes(head[0:4], "big")
    brands = {major} | {head[i : i + 4] for i in range(16, min(box_size, len(head)) - 3, 4)}
    if major in _AVIF_BRANDS or (major not in _HEIF_BRANDS and brands & _AVIF_BRANDS):
        return Signature("image", "an AVIF image", ".avif")
    if major in _HEIF_BRANDS:
        return Signature("image", "a HEIF/HEIC image", ".heic")
    if major == b"qt  ":
        return Signature("video", "a QuickTime movie", ".mov")
    if major.startswith(b"3g"):
        return Signature("video", "a 3GP movie", ".3gp")
    if major in {b"M4A ", b"M4B ", b"M4P "}:
        return Signature("audio", "an MPEG-4 audio file", ".m4a")
    if major == b"M4V ":
        return Signature("video", "an MPEG-4 video", ".m4v")
    return Signature("video", "an MPEG-4 video", ".mp4")


def _riff_signature(head: bytes) -> Signature | None:
    if head[:4] != b"RIFF":
        return None
    form = head[8:12]
    if form == b"WEBP":
        return Signature("image", "a WebP image", ".webp")
    if form == b"AVI ":
        return Signature("video", "an AVI video", ".avi")
    if form == b"WAVE":
        return Signature("audio", "a WAV audio file", ".wav")
    return Signature("other", f"a RIFF file of form {form!r}")


def _ebml_signature(head: bytes) -> Signature | None:
    if head[:4] != b"\x1a\x45\xdf\xa3":
        return None
    # The DocType element (ID 0x4282) sits in the EBML header, within the first bytes.
    if b"\x42\x82\x84webm" in head[:64] or b"webm" in head[:64]:
        return Signature("video", "a WebM video", ".webm")
    return Signature("video", "a Matroska video", ".mkv")


def _is_mpegts(head: bytes) -> bool:
    packets = [i for i in range(0, min(len(head), 188 * 5), 188)]
    return len(packets) >= 3 and all(head[i] == 0x47 for i in packets)


def _is_mp3(head: bytes) -> bool:
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the head is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t\f" for ch in text)
    return printable >= 0.97 * len(text)


_SIMPLE_SIGNATURES: tuple[tuple[bytes, Signature], ...] = (
    (b"\xff\xd8\xff", Signature("image", "a JPEG image", ".jpg")),
    (b"\x89PNG\r\n\x1a\n", Signature("image", "a PNG image", ".png")),
    (b"GIF87a", Signature("image", "a GIF image", ".gif")),
    (b"GIF89a", Signature("image", "a GIF image", ".gif")),
    (b"II*\x00", Signature("image", "a TIFF image", ".tif")),
    (b"MM\x00*", Signature("image", "a TIFF image", ".tif")),
    (b"BM", Signature("image", "a BMP image", ".bmp")),
    (b"FLV\x01", Signature("video", "a Flash video", ".flv")),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", Signature("video", "an ASF/WMV video", ".wmv")),
    (b"\x00\x00\x01\xba", Signature("video", "an MPEG program stream", ".mpg")),
    (b"\x00\x00\x01\xb3", Signature("video", "an MPEG video stream", ".mpg")),
    (b"OggS", Signature("audio", "an Ogg file", ".ogv")),
    (b"fLaC", Signature("audio", "a FLAC audio file", ".flac")),
    (b"PK\x03\x04", Signature("other", "a ZIP archive (or an office document)")),
    (b"PK\x05\x06", Signature("other", "an empty ZIP archive")),
    (b"%PDF", Signature("other", "a PDF document")),
    (b"\x1f\x8b", Signature("other", "a gzip archive")),
    (b"7z\xbc\xaf\x27\x1c", Signature("other", "a 7-Zip archive")),
    (b"Rar!", Signature("other", "a RAR archive")),
    (b"\x7fELF", Signature("other", "an ELF executable")),
    (b"MZ", Signature("other", "a Windows executable")),
    (b"SQLite format 3\x00", Signature("other", "an SQLite database")),
)


def identify_signature(head: bytes) -> Signature:
    """Classify the first bytes of a file by format signatures alone (no decoding).

    Args:
        head: the first bytes of the file (``HEAD_BYTES`` is plenty).

    Returns:
        The Signature; kind "unknown" when no signature matched.
    """
    for parse in (_ftyp_signature, _riff_signature, _ebml_signature):
        found = parse(head)
        if found is not None:
            return found
    for magic, signature in _SIMPLE_SIGNATURES:
        if head.startswith(magic):
            return signature
    if _is_mpegts(head):
        return Signature("video", "an MPEG transport stream", ".ts")
    if _is_mp3(head):
        return Signature("audio", "an MP3 audio file", ".mp3")
    if _looks_like_text(head):
        lowered = head[:256].lstrip().lower()
        if lowered.startswith((b"<!doctype html", b"<html")):
            return Signature("other", "an HTML page")
        return Signature("other", "a text file")
    return Signature("unknown", "data of an unknown format")


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """Return the first ``size`` bytes of ``path``; typed errors for unreadable files."""
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except IsADirectoryError as exc:
        raise UnsupportedMediaError(f"{path}: is a directory, not a media file") from exc
    except FileNotFoundError as exc:
        raise MediaError(f"{path}: file not found") from exc
    except OSError as exc:
        raise MediaError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


@contextmanager
def pillow_quiet() -> Iterator[None]:
    """Silence Pillow's own warnings around a call that enforces its own limits.

    The pixel limit is applied by ``check_media`` (so Pillow's DecompressionBombWarning is
    redundant) and malformed EXIF is reported by ``read_metadata`` in its ``warnings`` list,
    so Pillow's "Corrupt EXIF data" UserWarnings would only be noise here.
    """
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        yield


def register_heif() -> None:
    """Let Pillow open HEIF/HEIC (iPhone photos) through pillow-heif; idempotent."""
    global _HEIF_REGISTERED
    if not _HEIF_REGISTERED:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _HEIF_REGISTERED = True


_HEIF_REGISTERED = False


def _pillow_format(path: Path) -> str | None:
    """Open the header with Pillow (HEIF opener registered); None if Pillow refuses it."""
    from PIL import Image, UnidentifiedImageError

    register_heif()
    try:
        with pillow_quiet(), Image.open(path) as im:
            return str(im.format)
    except Image.DecompressionBombError:
        return "oversized"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None


def describe_streams(path: Path) -> tuple[str | None, list[str], str | None]:
    """Open with PyAV: (demuxer name, ["video:h264", "audio:aac", ...], error or None).

    Cover art in audio files (an attached picture) is not counted as a video stream.
    """
    import av

    try:
        with av.open(str(path), mode="r") as container:
            streams = []
            for stream in container.streams:
                kind = stream.type
                if kind == "video" and stream.disposition & av.stream.Disposition.attached_pic:
                    kind = "cover-art"
                if stream.codec_context is None:
                    streams.append(f"{kind}(codec unknown to FFmpeg)")
                else:
                    streams.append(f"{kind}:{stream.codec_context.name}")
            return container.format.name, streams, None
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        return None, [], str(exc)


def _confirm_video(path: Path, signature: Signature) -> MediaKind:
    demuxer, streams, error = describe_streams(path)
    if error is not None or demuxer is None:
        if signature.kind == "video":
            raise CorruptMediaError(
                f"{path}: looks like {signature.description} but FFmpeg cannot open it ({error})"
            )
        raise UnsupportedMediaError(f"{path}: {signature.description}, not a video ({error})")
    if demuxer in _WEAK_DEMUXERS and signature.kind != "video":
        raise UnsupportedMediaError(f"{path}: {signature.description}, not an image or video")
    if not any(s.startswith("video:") for s in streams):
        listed = ", ".join(streams) or "no streams"
        raise UnsupportedMediaError(
            f"{path}: {signature.description} with no video stream ({listed}); "
            "only images and videos can be evidence"
        )
    return "video"


def sniff_kind(path: str | Path) -> MediaKind:
    """Decide whether ``path`` holds an image or a video from its content.

    Args:
        path: the file; its name and extension are ignored.

    Returns:
        "image" or "video".

    Raises:
        UnsupportedMediaError: not an image or a video (text, archive, audio only, ...); the
            message says what the file looks like.
        CorruptMediaError: the signature says image/video but the file does not open.
        MediaError: the file cannot be read at all.
    """
    path = Path(path)
    head = read_head(path)
    if not head:
        raise UnsupportedMediaError(f"{path}: the file is empty")
    signature = identify_signature(head)
    if signature.kind == "image":
        if _pillow_format(path) is None:
            raise CorruptMediaError(
                f"{path}: looks like {signature.description} but Pillow cannot open it"
            )
        return "image"
    if signature.kind in ("video", "audio"):
        return _confirm_video(path, signature)
    if signature.kind == "other":
        raise UnsupportedMediaError(
            f"{path}: looks like {signature.description}, not an image or a video"
        )
    # No known signature: let the decoders try, images first (cheap header parse).
    if _pillow_format(path) is not None:
        return "image"
    return _confirm_video(path, signature)


def suggest_extension(path: str | Path, kind: MediaKind) -> str:
    """Return the usual extension (with the dot, lower case) for the file's real format.

    Args:
        path: the file.
        kind: its kind as returned by ``sniff_kind``.

    Returns:
        ".jpg", ".png", ".heic", ".mp4", ".mov", ".mkv", ".webm", ".avi", ".ts", ...;
        ".img" or ".video" when the format has no usual extension.
    """
    path = Path(path)
    signature = identify_signature(read_head(path))
    if kind == "image":
        fmt = _pillow_format(path)
        if fmt in _PIL_EXTENSIONS:
            return _PIL_EXTENSIONS[fmt]
        return signature.extension if signature.kind == "image" and signature.extension else ".img"
    if signature.extension and signature.kind in ("video", "audio"):
        return signature.extension
    demuxer, _, _ = describe_streams(path)
    by_demuxer = {"matroska,webm": ".mkv", "avi": ".avi", "mpegts": ".ts", "flv": ".flv"}
    return by_demuxer.get(demuxer or "", ".video")
