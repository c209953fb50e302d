"""Small shared widgets: a status badge that follows the light/dark palette, page headers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QWidget

# Semantic colours, readable on light and dark window backgrounds.
BADGE_COLOURS = {
    "connected": "#2B9348",
    "disconnected": "#6C757D",
    "error": "#D62828",
    "syncing": "#1D70B8",
}


class StatusBadge(QLabel):
    """A rounded pill with a state word; colour + text, never colour alone."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = "disconnected"
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMargin(2)

    def set_state(self, state: str, text: str) -> None:
        self.state = state
        self.setText(text)
        self.setAccessibleName(text)
        colour = BADGE_COLOURS.get(state, BADGE_COLOURS["disconnected"])
        self.setStyleSheet(
            f"QLabel {{ background: {colour}; color: white; border-radius: 8px; "
            "padding: 2px 10px; font-weight: 600; }"
        )


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def note(text: str, parent: QWidget | None = None) -> QLabel:
    """Secondary text: the palette's placeholder colour, so it works in dark mode too."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    palette = label.palette()
    colour: QColor = palette.color(QPalette.ColorRole.PlaceholderText)
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)
    return label


class ServiceMark(QWidget):
    """A service's mark (``icons.service_icon``), painted at the screen's pixel ratio.

    Painting the SVG-backed icon into the widget's own rectangle keeps it sharp on HiDPI
    screens, where a fixed-size pixmap would be scaled up and blurred.
    """

    def __init__(self, service: str, size: int = 32, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from .icons import service_icon

        self.service = service
        self.icon = service_icon(service)
        self.setFixedSize(size, size)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.icon.paint(painter, self.rect())
        painter.end()
