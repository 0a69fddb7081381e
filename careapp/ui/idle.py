"""Idle lock: any key or mouse use restarts the countdown; reaching zero locks the workstation."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleWatcher(QObject):
    """Install on the QApplication. The timer is injectable so tests fire it without waiting."""

    sig_idle = Signal()

    def __init__(self, minutes: int, timer: QTimer | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = timer or QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sig_idle.emit)
        self.set_minutes(minutes)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, minutes) * 60_000)

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False
