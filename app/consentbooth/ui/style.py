"""One calm colour scheme and type scale for the whole app, as a Qt stylesheet."""

from __future__ import annotations

INK = "#1f2a37"
MUTED = "#5b6776"
ACCENT = "#1f6f78"  # deep teal
ACCENT_DARK = "#17565d"
ACCENT_SOFT = "#e3f1f1"
BACKGROUND = "#f5f7f8"
CARD = "#ffffff"
BORDER = "#d5dce2"
DANGER = "#b3261e"
OK = "#25683f"  # was #2e7d4f: 4.35:1 on a ticked card; now >= 4.5:1 on every surface
WARN_SOFT = "#fff4e0"
WARN = "#8a5300"  # amber text: intact, but who signed is not established (4.5:1 on white)
FAINT = "#626d7a"  # disabled text, erased rows (was #9aa5b1, 2.2:1; readable now: >= 4.5:1 on every surface)
OFF_PRIMARY = "#d3e6e7"  # a disabled primary button: pale teal under teal text (was white on #9cc1c4, 1.75:1)
GRID = "#edf0f2"  # grid lines, chart guides, list separators
TRACK = "#e6ecef"  # the empty part of a chart's bar
PEN = "#14213d"  # the signature's ink
GUIDE = "#aab4be"  # the signature's base line
PAPER = "#ffffff"  # what a signature is drawn on (and saved with)
FOCUS = "#b45309"  # the focus ring: dark amber, >= 3:1 on white, grey and pale teal (was #f2a900, 2.0:1)
TOUCH = 48  # px: the kiosk's smallest tap target (WCAG 2.5.5 asks 44)

STYLESHEET = f"""
QWidget {{ color: {INK}; font-size: 14px; }}
QMainWindow, QDialog, QWizard, #kioskWindow, #unlockPage {{ background: {BACKGROUND}; }}
QLabel#title, QLabel#detailName {{ font-size: 22px; font-weight: 600; }}
QLabel#subtitle {{ color: {MUTED}; font-size: 14px; }}
QLabel#error, QLabel#noticeError, QLabel#staffError {{ color: {DANGER}; }}
QLabel#brand {{ font-size: 16px; font-weight: 700; color: {ACCENT_DARK}; letter-spacing: 1px; }}
QLabel#ok {{ color: {OK}; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#sectionHeading {{ font-size: 15px; font-weight: 600; color: {ACCENT_DARK}; margin-top: 6px; }}
QFrame#card {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#notice {{ background: {WARN_SOFT}; border: 1px solid #f0d9a8; border-radius: 8px; }}
QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QDateEdit, QSpinBox {{
    background: {CARD}; border: 1px solid {BORDER}; border-radius: 6px; padding: 5px 8px;
    selection-background-color: {ACCENT}; placeholder-text-color: {MUTED};
}}
QLineEdit[invalid="true"] {{ border: 2px solid {DANGER}; padding: 4px 7px; }}
QPushButton {{
    background: {CARD}; border: 1px solid {BORDER}; border-radius: 6px; padding: 6px 14px;
}}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:disabled {{ color: {FAINT}; background: #eef1f3; }}
QPushButton[role="primary"] {{
    background: {ACCENT}; color: white; border: 1px solid {ACCENT_DARK}; font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: {ACCENT_DARK}; }}
QPushButton[role="primary"]:disabled {{ background: {OFF_PRIMARY}; color: {ACCENT_DARK}; border-color: {OFF_PRIMARY}; }}
QPushButton[role="danger"] {{ color: {DANGER}; border-color: #e3b4b0; }}
QPushButton[role="lang"] {{ border-radius: 16px; padding: 4px 14px; }}
QPushButton[role="lang"]:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT_DARK}; }}
QTableView {{
    background: {CARD}; border: 1px solid {BORDER}; border-radius: 6px;
    gridline-color: #edf0f2; selection-background-color: {ACCENT_SOFT}; selection-color: {INK};
    alternate-background-color: #fafbfc;
}}
QHeaderView::section {{
    background: #eef2f4; border: none; border-bottom: 1px solid {BORDER}; padding: 6px;
    font-weight: 600; color: {MUTED};
}}
QTabWidget::pane {{ border: none; }}
QTabBar::tab {{ padding: 8px 18px; border: none; color: {MUTED}; }}
QTabBar::tab:selected {{ color: {ACCENT_DARK}; border-bottom: 3px solid {ACCENT}; font-weight: 600; }}
QToolBar {{ background: {CARD}; border: none; border-bottom: 1px solid {BORDER}; spacing: 8px; padding: 6px; }}
QListWidget {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 6px; }}
QProgressBar {{ border: 1px solid {BORDER}; border-radius: 4px; background: #eef1f3; height: 8px; text-align: center; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 4px; }}
QCheckBox {{ spacing: 10px; }}
/* The focus ring: a wider border in the focus colour; the padding gives back what the border
   takes, so nothing moves when the focus (or an error) comes and goes. */
QPushButton:focus {{ border: 2px solid {FOCUS}; padding: 5px 13px; }}
QCheckBox {{ border: 2px solid transparent; border-radius: 6px; }}
QCheckBox:focus {{ border: 2px solid {FOCUS}; }}
QLineEdit:focus, QComboBox:focus {{ border: 2px solid {FOCUS}; padding: 4px 7px; }}
QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {FOCUS}; }}
QFrame#overlayCard {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 14px; }}
QWidget#pausedScreen {{ background: {BACKGROUND}; }}
QPushButton[role="key"] {{ font-size: 22px; font-weight: 600; }}
QFrame#purposeCard {{ background: {CARD}; border: 1px solid {BORDER}; border-radius: 10px; }}
QFrame#purposeCard[ticked="true"] {{ background: {ACCENT_SOFT}; border: 2px solid {ACCENT}; }}

"""


def kiosk_rules(scale: float = 1.0) -> str:
    """The kiosk's own rules: large, touch-friendly. ``scale`` > 1 is the attendee's "larger text"
    (fonts, paddings and touch targets grow together; the kiosk window sets these as its own style
    sheet, which wins over the application's)."""

    def px(n: float) -> str:
        return f"{round(n * scale)}px"

    def side(n: float, less: int = 0) -> str:  # a top-bar pill's side padding: tighter when larger (the bar fits)
        return f"{(n if scale <= 1 else round(n * 0.6)) - less}px"

    def inset(n: float) -> str:  # a padding less what a 3 px focus border takes over a 1 px one
        return f"{round(n * scale) - 2}px"

    return f"""
#kioskWindow QWidget {{ font-size: {px(20)}; }}
#kioskWindow QLabel#title {{ font-size: {px(34)}; font-weight: 600; }}
#kioskWindow QLabel#subtitle {{ font-size: {px(20)}; }}
#kioskWindow QLabel#fieldLabel {{ font-size: {px(19)}; font-weight: 600; }}
#kioskWindow QLabel#tag {{ font-size: {px(15)}; color: {MUTED}; }}
#kioskWindow QLabel#error {{ font-size: {px(17)}; }}
#kioskWindow QLineEdit {{ font-size: {px(22)}; padding: 8px 12px; min-height: {px(TOUCH - 20)}; }}
#kioskWindow QLineEdit[invalid="true"] {{ border: 2px solid {DANGER}; padding: 7px 11px; }}
#kioskWindow QLineEdit:focus {{ border: 3px solid {FOCUS}; padding: 6px 10px; }}
#kioskWindow QPushButton {{ font-size: {px(21)}; padding: {px(12)} {px(30)}; min-height: {px(TOUCH - 24)};
    border-radius: 10px; }}
#kioskWindow QPushButton:focus {{ border: 3px solid {FOCUS}; padding: {inset(12)} {inset(30)}; }}
#kioskWindow QPushButton[role="lang"] {{ font-size: {px(17)}; padding: {px(6)} {side(20)}; min-height: {px(TOUCH - 14)};
    min-width: 60px; border-radius: 22px; }}
#kioskWindow QPushButton[role="staff"], #kioskWindow QPushButton[role="tool"] {{ font-size: {px(16)};
    padding: {px(6)} {side(18)}; min-height: {px(TOUCH - 14)}; min-width: 60px; color: {INK};
    background: {BACKGROUND}; border: 1px solid {BORDER}; border-radius: 22px; }}
#kioskWindow QPushButton[role="tool"]:checked {{ background: {ACCENT}; color: white; border-color: {ACCENT_DARK}; }}
#kioskWindow QPushButton[role="staff"]:focus, #kioskWindow QPushButton[role="tool"]:focus {{
    border: 3px solid {FOCUS}; padding: {inset(6)} {side(18, 2)}; }}
#kioskWindow QPushButton[role="lang"]:focus {{ padding: {inset(6)} {side(20, 2)}; }}
#kioskWindow QPushButton#age14plus, #kioskWindow QPushButton#ageUnder14 {{ min-height: {px(72)};
    font-size: {px(24)}; }}
#kioskWindow QCheckBox {{ font-size: {px(21)}; font-weight: 600; padding: 4px; border: 3px solid transparent;
    border-radius: 8px; }}
#kioskWindow QCheckBox:focus {{ border: 3px solid {FOCUS}; }}
#kioskWindow QCheckBox::indicator {{ width: {px(44)}; height: {px(44)}; }}
#kioskWindow QScrollBar:vertical {{ width: {px(22)}; background: {TRACK}; border-radius: 11px; }}
#kioskWindow QScrollBar::handle:vertical {{ background: {GUIDE}; border-radius: 11px; min-height: 60px; }}
#kioskWindow QScrollBar::add-line:vertical, #kioskWindow QScrollBar::sub-line:vertical {{ height: 0; }}
#kioskWindow QTextBrowser {{ font-size: {px(18)}; background: {CARD}; border: 1px solid {BORDER};
    border-radius: 10px; padding: 12px; }}
#kioskWindow QTextBrowser:focus {{ border: 3px solid {FOCUS}; padding: 10px; }}
#kioskWindow QScrollArea {{ border: 3px solid transparent; border-radius: 10px; }}
#kioskWindow QScrollArea:focus {{ border: 3px solid {FOCUS}; }}
#kioskWindow QLabel#purposeText {{ font-size: {px(17)}; color: {MUTED}; }}
#kioskWindow QLabel#recipient {{ font-size: {px(16)}; }}
#kioskWindow QFrame#topBar {{ background: {CARD}; border-bottom: 1px solid {BORDER}; }}
#kioskWindow QLabel#brand {{ font-size: 18px; font-weight: 600; color: {ACCENT_DARK}; }}
#kioskWindow QWidget#stepColumn, #kioskWindow QWidget#stepContent {{ max-width: {px(980)}; }}
#kioskWindow QFrame#overlayCard {{ max-width: {px(640)}; }}
#kioskWindow QPushButton[role="key"] {{ font-size: {px(22)}; font-weight: 600; }}
"""


STYLESHEET += kiosk_rules()

