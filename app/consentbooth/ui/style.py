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
OK = "#2e7d4f"
WARN_SOFT = "#fff4e0"
WARN = "#8a5300"  # amber text: intact, but who signed is not established (4.5:1 on white)
FAINT = "#9aa5b1"  # disabled text, erased rows
GRID = "#edf0f2"  # grid lines, chart guides, list separators
TRACK = "#e6ecef"  # the empty part of a chart's bar
PEN = "#14213d"  # the signature's ink
GUIDE = "#aab4be"  # the signature's base line
PAPER = "#ffffff"  # what a signature is drawn on (and saved with)
FOCUS = "#f2a900"  # the focus ring: amber, visible on white, on teal and on grey
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
    selection-background-color: {ACCENT};
}}
QLineEdit[invalid="true"] {{ border: 2px solid {DANGER}; padding: 4px 7px; }}
QPushButton {{
    background: {CARD}; border: 1px solid {BORDER}; border-radius: 6px; padding: 6px 14px;
}}
QPushButton:hover {{ border-color: {ACCENT}; }}
QPushButton:disabled {{ color: #9aa5b1; background: #eef1f3; }}
QPushButton[role="primary"] {{
    background: {ACCENT}; color: white; border: 1px solid {ACCENT_DARK}; font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: {ACCENT_DARK}; }}
QPushButton[role="primary"]:disabled {{ background: #9cc1c4; color: #eef5f5; }}
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

/* Kiosk: large, touch-friendly */
#kioskWindow QWidget {{ font-size: 20px; }}
#kioskWindow QLabel#title {{ font-size: 34px; font-weight: 600; }}
#kioskWindow QLabel#subtitle {{ font-size: 20px; }}
#kioskWindow QLabel#fieldLabel {{ font-size: 19px; font-weight: 600; }}
#kioskWindow QLabel#tag {{ font-size: 15px; color: {MUTED}; }}
#kioskWindow QLabel#error {{ font-size: 17px; }}
#kioskWindow QLineEdit {{ font-size: 22px; padding: 8px 12px; min-height: {TOUCH - 20}px; }}
#kioskWindow QLineEdit[invalid="true"] {{ border: 2px solid {DANGER}; padding: 7px 11px; }}
#kioskWindow QLineEdit:focus {{ border: 3px solid {FOCUS}; padding: 6px 10px; }}
#kioskWindow QPushButton {{ font-size: 21px; padding: 12px 30px; min-height: {TOUCH - 24}px; border-radius: 10px; }}
#kioskWindow QPushButton:focus {{ border: 3px solid {FOCUS}; padding: 10px 28px; }}
#kioskWindow QPushButton[role="lang"] {{ font-size: 17px; padding: 6px 20px; min-height: {TOUCH - 14}px;
    min-width: 60px; border-radius: 22px; }}
#kioskWindow QPushButton[role="staff"] {{ font-size: 16px; padding: 6px 18px; min-height: {TOUCH - 14}px;
    min-width: 60px; color: {INK}; background: {BACKGROUND}; border: 1px solid {BORDER}; border-radius: 22px; }}
#kioskWindow QPushButton#age14plus, #kioskWindow QPushButton#ageUnder14 {{ min-height: 72px; font-size: 24px; }}
#kioskWindow QCheckBox {{ font-size: 21px; font-weight: 600; padding: 4px; border: 3px solid transparent;
    border-radius: 8px; }}
#kioskWindow QCheckBox:focus {{ border: 3px solid {FOCUS}; }}
#kioskWindow QCheckBox::indicator {{ width: 44px; height: 44px; }}
#kioskWindow QScrollBar:vertical {{ width: 22px; background: {TRACK}; border-radius: 11px; }}
#kioskWindow QScrollBar::handle:vertical {{ background: {GUIDE}; border-radius: 11px; min-height: 60px; }}
#kioskWindow QScrollBar::add-line:vertical, #kioskWindow QScrollBar::sub-line:vertical {{ height: 0; }}
#kioskWindow QTextBrowser {{ font-size: 18px; background: {CARD}; border: 1px solid {BORDER};
    border-radius: 10px; padding: 12px; }}
#kioskWindow QLabel#purposeText {{ font-size: 17px; color: {MUTED}; }}
#kioskWindow QLabel#recipient {{ font-size: 16px; }}
#kioskWindow QFrame#topBar {{ background: {CARD}; border-bottom: 1px solid {BORDER}; }}
#kioskWindow QLabel#brand {{ font-size: 18px; font-weight: 600; color: {ACCENT_DARK}; }}
"""
