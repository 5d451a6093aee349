#!/usr/bin/env python3
"""Writes the hand-made hostile PDFs of tests/fuzz_regressions/import_pdf/
that exercise what-a-person-sees (src/import/pdf/seen.rs): annotations with
odd geometry and text, clip stacks thousands deep, a page painted over a
hundred thousand times, text that is there but not shown; and a Form
XObject that decompresses past the limit (src/import/pdf/streams.rs). Each is small,
refused cleanly (reject-*: they hold no sheet), and must not panic or hang.
Run from the repository root: python3 fuzz/regressions-seen.py"""
import os
import zlib

OUT = "tests/fuzz_regressions/import_pdf"


def pdf(content: bytes, extra_page: bytes = b"", extra_objects=()) -> bytes:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R "
        + extra_page
        + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    objs.extend(extra_objects)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def write(name: str, data: bytes) -> None:
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


text = b"BT /F1 12 Tf 72 720 Td (hello) Tj ET"

# Annotations: inverted and enormous rects, QuadPoints of odd length and
# huge values, binary Contents, a flood past the 10,000 read.
annots = [
    b"<< /Type /Annot /Subtype /Circle /Rect [600 800 -1e30 1e30] /F 4 >>",
    b"<< /Type /Annot /Subtype /StrikeOut /Rect [0 0 1 1] /QuadPoints [1 2 3 1e38 5 6 7] >>",
    b"<< /Type /Annot /Subtype /Highlight /Rect [0 0 1 1] /QuadPoints [1e308 -1e308 0 0 0 0 0 0] >>",
    b"<< /Type /Annot /Subtype /FreeText /Rect [10 10 50 50] /Contents <FEFFD800DC00FFFE00> >>",
    b"<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /IC [1 1 1 1 1] >>",
    b"<< /Type /Annot /Subtype /Ink /Rect [0 0 5 5] /InkList [[1 2 3]] /F -1 >>",
]
refs = b" ".join(b"%d 0 R" % (6 + i) for i in range(len(annots)))
write("reject-odd-annotations.pdf", pdf(text, b"/Annots [" + refs + b"]", annots))
square = [b"<< /Type /Annot /Subtype /Square /Rect [0 0 595 842] /IC [1] >>"]
write("reject-annotation-flood.pdf", pdf(text, b"/Annots [" + b"6 0 R " * 12000 + b"]", square))

# A clip stack thousands deep, never popped, then text.
write("reject-deep-clips.pdf", pdf(b"q 0 0 595 842 re W n " * 5000 + text))
# The whole page painted over again and again (the grid's work budget).
write("reject-painted-over.pdf", pdf(b"1 g 0 0 595 842 re f\n" * 1000 + text))
# Text that is there but not shown: white, render mode 3, clipped, tiny,
# transparent through an ExtGState, off the page.
hidden = (
    b"1 g BT /F1 12 Tf 72 720 Td (white) Tj ET 0 g "
    b"BT 3 Tr /F1 12 Tf 72 700 Td (invisible) Tj ET "
    b"q 0 0 1 1 re W n BT /F1 12 Tf 72 680 Td (clipped) Tj ET Q "
    b"BT /F1 0.2 Tf 72 660 Td (tiny) Tj ET "
    b"BT /F1 12 Tf 900 640 Td (off the page) Tj ET"
)
write("reject-hidden-text.pdf", pdf(hidden))
# One run of more glyphs than a page may draw (the recorder's bound).
write("reject-glyph-flood.pdf", pdf(b"BT /F1 1 Tf 10 10 Td (" + b"a" * 210000 + b") Tj ET"))
# A Form XObject of 160 MiB of spaces compressed twice (about 900 bytes):
# every stream in the file is measured, used or not, and this one refuses
# the file before the reader could decode it.
bomb = zlib.compress(zlib.compress(b" " * (160 << 20), 9), 9)
form = (
    b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n"
    % len(bomb)
    + bomb
    + b"\nendstream"
)
write("reject-decompression-bomb.pdf", pdf(text, b"", [form]))
