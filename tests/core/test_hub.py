"""Push to the Hugging Face Hub: the token lives in the OS keyring only, repos are private by default, and no
keyring, offline mode or an unreachable endpoint give clear errors. Nothing here reaches the real Hub."""

from __future__ import annotations

import io
from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from app.core.errors import StudioError
from app.core.export import hub
from app.core.paths import data_home

TOKEN = "hf_TestTokenThatMustNeverBeWritten0123"


@pytest.fixture
def backend(memory_keyring, monkeypatch):
    """The in-memory keyring; no HF_HUB_OFFLINE from the environment and no real endpoint."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    return memory_keyring


def test_no_keyring_backend_is_a_clear_error(backend, evaluated_run, tmp_path, capsys):
    from app.cli import main

    keyring.set_keyring(FailKeyring())
    with pytest.raises(StudioError, match="no OS keyring") as err:
        hub.save_token(TOKEN)
    assert "HF_TOKEN" in err.value.hint
    assert main(["export", evaluated_run["id"], "--adapter", str(tmp_path / "a"), "--push-to-hub", "me/q"]) == 2
    assert "No Hugging Face token: this machine has no OS keyring" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_login_stores_the_token_in_the_keyring_and_push_is_private_by_default(backend, monkeypatch, tmp_path):
    from app.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    assert main(["hub", "login", "--stdin"]) == 0
    assert backend.items == {("finetune-studio", "huggingface"): TOKEN} and hub.hub_token() == TOKEN
    calls = []

    class FakeApi:
        def __init__(self, endpoint, token):
            calls.append(("api", endpoint, token == TOKEN))

        def create_repo(self, repo, private, exist_ok):
            calls.append(("create", repo, private))
            return f"{self_endpoint}/{repo}"

        def upload_folder(self, repo_id, folder_path, commit_message, ignore_patterns):
            assert ignore_patterns == [".finetune-studio-export"], "the export's marker stays local"
            calls.append(("upload", repo_id, Path(folder_path).name))

        def upload_file(self, path_or_fileobj, path_in_repo, repo_id):
            calls.append(("file", path_in_repo))

    self_endpoint = "http://127.0.0.1:9"
    monkeypatch.setattr("huggingface_hub.HfApi", FakeApi)
    (tmp_path / "merged").mkdir()
    assert hub.push_folder(tmp_path / "merged", "me/quill") == "http://127.0.0.1:9/me/quill"
    hub.push_folder(tmp_path / "merged", "me/quill", private=False, extra=[tmp_path / "m-f16.gguf"])
    assert calls == [("api", self_endpoint, True), ("create", "me/quill", True), ("upload", "me/quill", "merged"),
                     ("api", self_endpoint, True), ("create", "me/quill", False), ("upload", "me/quill", "merged"),
                     ("file", "m-f16.gguf")]
    with pytest.raises(hub.HubError, match="not a Hub repository id"):
        hub.push_folder(tmp_path / "merged", "no-owner")
    assert main(["hub", "logout"]) == 0 and backend.items == {}


def test_offline_is_refused_before_exporting(backend, evaluated_run, monkeypatch, tmp_path, capsys):
    from app.cli import main

    backend.set_password("finetune-studio", "huggingface", TOKEN)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["export", evaluated_run["id"], "--adapter", str(tmp_path / "a"), "--push-to-hub", "me/q"]) == 2
    assert "offline mode is on (HF_HUB_OFFLINE)" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_unreachable_hub_is_clear_and_the_token_lands_nowhere(backend, evaluated_run, monkeypatch, tmp_path,
                                                             capsys):
    from app.cli import main

    backend.set_password("finetune-studio", "huggingface", TOKEN)
    monkeypatch.setattr("huggingface_hub.constants.HF_HUB_OFFLINE", False)  # the suite runs offline: read at import
    code = main(["export", evaluated_run["id"], "--adapter", str(tmp_path / "a"), "--push-to-hub", "me/q"])
    out = capsys.readouterr()
    assert code == 2 and "Cannot reach the Hugging Face Hub at http://127.0.0.1:9" in out.err
    assert "the export itself was saved" in out.err and (tmp_path / "a" / "adapter_model.safetensors").exists()
    assert TOKEN not in out.out + out.err
    written = [p for root in (data_home(), tmp_path) for p in Path(root).rglob("*") if p.is_file()]
    assert any(p.name.startswith("studio.db") for p in written) and any(p.suffix == ".log" for p in written)
    assert [p for p in written if TOKEN.encode() in p.read_bytes()] == []
