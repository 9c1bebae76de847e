"""The Export page's Push section: upload the merged model (else the adapter) to the Hugging Face Hub after the
export. The token is saved to the OS keyring here and read from it by the export process: it never appears on a
command line, in settings or in a log."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSettings, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.core.errors import StudioError
from app.core.requests import ExportRequest
from app.ui.i18n import core_text, schema_text
from app.ui.icons import icon
from app.ui.tone import set_tone
from app.ui.widgets.field_editors import editor_for


class ExportPush(QGroupBox):
    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(QCoreApplication.translate("ExportPush", "Push to the Hugging Face Hub (optional)"), parent)
        self.settings = settings
        self.setCheckable(True)
        self.setChecked(False)
        self.toggled.connect(self.changed)
        row = QHBoxLayout(self)
        # The repository and Public are the export request's push_to_hub and public fields.
        self.repo = editor_for(ExportRequest.model_fields["push_to_hub"])
        self.repo.set_value(str(settings.value("export/hub_repo", "")))
        self.repo.inner.setPlaceholderText(self.tr("user/model-name"))
        self.repo.edited.connect(self.changed)
        self.public = editor_for(ExportRequest.model_fields["public"])
        self.token = QLineEdit(placeholderText=self.tr("hf_… (saved to the OS keyring)"), echoMode=QLineEdit.EchoMode.Password,
                               toolTip=self.tr("A token with write access, from "
                                               "huggingface.co/settings/tokens. It is kept in the OS "
                                               "keyring only."))
        self.save_button = QPushButton(icon("save"), self.tr("Save token"))
        self.save_button.clicked.connect(self.save_token)
        self.state = QLabel(wordWrap=True)
        self.state.setObjectName("hint")
        fields = ExportRequest.model_fields
        for widget, stretch in ((QLabel(self.tr("Repository")), 0), (self.repo, 2), (QLabel(schema_text(fields["public"].title)), 0),
                                (self.public, 0), (self.token, 2), (self.save_button, 0), (self.state, 3)):
            row.addWidget(widget, stretch)
        self.has_token = False
        self._show_token_state()

    def _show_token_state(self) -> None:
        """Asks the keyring once here and after a save (a keyring may be slow, or ask to be unlocked)."""
        from app.core.export.hub import has_token, keyring_available

        self.has_token = has_token()
        if self.has_token:
            self.state.setText(self.tr("A token is saved."))
        elif keyring_available():
            self.state.setText(self.tr("No token saved yet."))
        else:
            self.state.setText(self.tr("No OS keyring on this machine: set HF_TOKEN before starting the "
                                       "app."))

    def show_problem(self, text: str) -> None:
        """What keeps Export disabled because of the push (empty: the token state again)."""
        if text:
            self.state.setText(text)
            set_tone(self.state, "error")
        elif self.state.property("tone"):
            set_tone(self.state)
            self._show_token_state()

    def save_token(self) -> None:
        from app.core.export.hub import save_token

        try:
            save_token(self.token.text())
        except StudioError as exc:
            self.state.setText(f"{core_text(exc.message)} {core_text(exc.hint)}")
            return
        finally:
            self.token.clear()
        self._show_token_state()
        self.changed.emit()

    def target(self) -> tuple[str, bool] | None:
        """(repo, public) when the push is on."""
        return (self.repo.value() or "", self.public.value()) if self.isChecked() else None

    def problem(self, targets: set[str]) -> str:
        from app.core.export.hub import REPO_ID

        if not self.isChecked():
            return ""
        if not REPO_ID.match(self.repo.value() or ""):
            return self.tr("name the Hub repository as user/model-name.")
        if not targets & {"merged", "adapter"}:
            return self.tr("choose the merged model or the adapter to upload.")
        if not self.has_token:
            return self.tr("save a Hugging Face token first.")
        return ""

    def remember(self) -> None:
        self.settings.setValue("export/hub_repo", self.repo.value() or "")
