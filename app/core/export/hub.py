"""Push an export to the Hugging Face Hub, with the token kept in the OS keyring.

The token lives only in the keyring (service `finetune-studio`, user `huggingface`) or, for one session, in the
HF_TOKEN environment variable: never in the run store, a config, a log or an error message. Repositories are
private unless asked otherwise. Offline mode (HF_HUB_OFFLINE) and an unreachable endpoint give a clear error.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from ..errors import ExportError, StudioError
from ..messages import Text
from .staging import MARKER

log = logging.getLogger(__name__)

SERVICE, USER = "finetune-studio", "huggingface"
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
NO_KEYRING_HINT = Text("Install or unlock an OS keyring (macOS Keychain, Windows Credential Manager, GNOME Keyring "
                       "or KWallet), or set HF_TOKEN in the environment for this session.")


class HubError(ExportError):
    """The push to the Hub failed; the export itself is fine."""


def check_repo_id(repo: str) -> None:
    if not REPO_ID.match(repo or ""):
        raise HubError(Text("{repo!r} is not a Hub repository id.", repo=repo),
                       Text("Use the form user/model-name, e.g. alice/quill-lora."))


def _keyring():
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    backend = keyring.get_keyring()
    if isinstance(backend, FailKeyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def save_token(token: str) -> None:
    """Store the token in the OS keyring (StudioError with a hint when this machine has none)."""
    token = (token or "").strip()
    if not token:
        raise StudioError(Text("The Hugging Face token is empty."),
                          Text("Paste a token from huggingface.co/settings/tokens."))
    store = _keyring()
    if store is None:
        raise StudioError(Text("There is no OS keyring on this machine to keep the Hugging Face token in."),
                          NO_KEYRING_HINT)
    store.set_password(SERVICE, USER, token)


def delete_token() -> None:
    store = _keyring()
    if store is not None and store.get_password(SERVICE, USER) is not None:
        store.delete_password(SERVICE, USER)


def has_token() -> bool:
    return bool(os.environ.get("HF_TOKEN")) or bool((store := _keyring()) and store.get_password(SERVICE, USER))


def hub_token() -> str:
    """The token: the keyring's, else HF_TOKEN; HubError with a hint when there is none."""
    store = _keyring()
    token = store.get_password(SERVICE, USER) if store is not None else None
    token = token or os.environ.get("HF_TOKEN")
    if token:
        return token
    if store is None:
        raise HubError(Text("No Hugging Face token: this machine has no OS keyring to keep one in."),
                       NO_KEYRING_HINT)
    raise HubError(Text("No Hugging Face token is saved."),
                   Text("Run `finetune-studio hub login` (or save one on the Export page's Push section)."))


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def check_push(repo: str) -> None:
    """Everything a push needs that can be known before exporting: a valid repo id, online mode, a token."""
    check_repo_id(repo)
    if _offline():
        raise HubError(Text("Cannot push to the Hugging Face Hub: offline mode is on (HF_HUB_OFFLINE)."),
                       Text("Unset HF_HUB_OFFLINE when you are online, or export without --push-to-hub."))
    hub_token()


def push_folder(folder: Path, repo: str, *, private: bool = True, extra: list[Path] | None = None) -> str:
    """Create `repo` (private by default) if needed and upload `folder` (and `extra` files) to it; its URL."""
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    check_push(repo)
    endpoint = os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    token = hub_token()
    api = HfApi(endpoint=endpoint, token=token)
    try:
        url = str(api.create_repo(repo, private=private, exist_ok=True))
        api.upload_folder(repo_id=repo, folder_path=str(folder), commit_message="Upload from Finetune Studio",
                          ignore_patterns=[MARKER])  # our local bookkeeping (run id, time) stays local
        for path in extra or []:
            api.upload_file(path_or_fileobj=str(path), path_in_repo=Path(path).name, repo_id=repo)
    except OfflineModeIsEnabled as exc:
        raise HubError(Text("Cannot push to the Hugging Face Hub: offline mode is on."),
                       Text("Unset HF_HUB_OFFLINE when you are online; the export itself was saved.")) from exc
    except HfHubHTTPError as exc:
        status = getattr(getattr(exc, "response", None), "status_code", None)
        hint = (Text("Check the token's write permission, or save a new one with `finetune-studio hub login`.")
                if status in (401, 403) else Text("Check the repository name and try again."))
        raise HubError(Text("The Hub refused the push ({status}): {error}",
                            status=status, error=_scrub(str(exc), token)), hint) from None
    except OSError as exc:  # connection refused, DNS, timeouts (httpx errors are OSErrors' cousins, below)
        raise _unreachable(endpoint, exc, token) from None
    except Exception as exc:
        if type(exc).__module__.startswith(("httpx", "httpcore", "requests", "urllib3")):
            raise _unreachable(endpoint, exc, token) from None
        raise
    log.info("pushed %s to %s", folder, url)
    return url


def _unreachable(endpoint: str, exc: Exception, token: str) -> HubError:
    return HubError(Text("Cannot reach the Hugging Face Hub at {endpoint}: {error}",
                         endpoint=endpoint, error=_scrub(str(exc), token)),
                    Text("Check your internet connection (and HF_ENDPOINT if you set it); the export itself "
                         "was saved."))


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text
