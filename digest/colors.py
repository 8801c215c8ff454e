"""Colour contrast as WCAG 2 measures it, and a colour made readable on a background.

Editors choose a section's colour once; the email needs it readable on a white card and on
a dark one (4.5:1, WCAG AA for normal text). Rather than refuse a colour, the email darkens
it for light mode and lightens it for dark mode, keeping its hue, as little as needed.
"""

from __future__ import annotations

import colorsys

AA = 4.5  # WCAG 2 AA for body text


def _rgb(color: str) -> tuple[float, float, float]:
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(max(c, 0.0), 1.0) * 255):02x}" for c in rgb)


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2): 0 for black, 1 for white."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """The contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def readable_on(color: str, background: str, ratio: float = AA) -> str:
    """``color`` as it is when it already reads at ``ratio`` on ``background``; otherwise the
    nearest colour of the same hue and saturation, darker on a light background and lighter
    on a dark one, that does."""
    if contrast(color, background) >= ratio:
        return color.lower()
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(color))
    darker = luminance(background) > 0.18
    step = -0.01 if darker else 0.01
    while 0.0 <= lightness <= 1.0:
        lightness += step
        candidate = _hex(colorsys.hls_to_rgb(hue, min(max(lightness, 0.0), 1.0), saturation))
        if contrast(candidate, background) >= ratio:
            return candidate
    return "#000000" if darker else "#ffffff"
