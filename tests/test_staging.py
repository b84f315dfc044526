"""Staged ingestion state (pipeline/sources/staging.py): an epoch's files move into place on
commit, replacing the committed copies; a killed run's staging is discarded, never committed."""

from __future__ import annotations

import pytest

from pipeline.sources.staging import commit_staged, discard_staged, staging_dir


def test_commit_moves_the_epochs_files_into_place_and_replaces_older_ones(tmp_path):
    state = tmp_path / "_stream"
    (state / "poller").mkdir(parents=True)
    (state / "poller" / "a.example.json").write_text("old")
    staged = tmp_path / "_stream" / "staged" / "e1"
    (staged / "poller").mkdir(parents=True)
    (staged / "watch").mkdir()
    (staged / "poller" / "a.example.json").write_text("new")
    (staged / "poller" / "b.example.json.tmp").write_text("half")  # a cut-short write
    (staged / "watch" / "abc123").write_text("path@1.0")
    assert staging_dir(str(state), "e1") == str(staged)
    assert commit_staged(str(state), "e1") == 2
    assert (state / "poller" / "a.example.json").read_text() == "new"
    assert (state / "watch" / "abc123").read_text() == "path@1.0"
    assert not (state / "poller" / "b.example.json.tmp").exists()
    assert not staged.exists()


def test_commit_of_an_epoch_that_staged_nothing_is_a_no_op(tmp_path):
    assert commit_staged(str(tmp_path / "_stream"), "e9") == 0


def test_discard_drops_every_uncommitted_epoch_and_keeps_the_committed_state(tmp_path):
    state = tmp_path / "_stream"
    (state / "watch").mkdir(parents=True)
    (state / "watch" / "kept").write_text("x")
    for epoch in ("e1", "e2"):
        (state / "staged" / epoch / "watch").mkdir(parents=True)
        (state / "staged" / epoch / "watch" / "lost").write_text("y")
    discard_staged(str(state))
    assert not (state / "staged").exists()
    assert (state / "watch" / "kept").exists()
    discard_staged(str(tmp_path / "nothing-here"))  # a first run: nothing to discard


@pytest.mark.parametrize("state_dir", ["", "/"])
def test_no_state_folder_is_refused_rather_than_staging_at_the_root(state_dir):
    with pytest.raises(ValueError):
        staging_dir(state_dir, "e1")
    with pytest.raises(ValueError):
        discard_staged(state_dir)
