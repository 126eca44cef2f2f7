"""The admin CLI's commands, exit codes and output, over the fake services with the
storage answers each test names."""

import io
import time

from admin import blogadmin
from common.errors import ValidationError
from tests.unit.fake_services import FakeRpc

SUMMARY = {
    "id": "20260101T000000000000Z",
    "created_at": "2026-01-01T00:00:00.000Z",
    "databases": {"users": {"rows": {"users": 2, "follows": 1}}, "blog": {"rows": {"articles": 3}}},
    "size_bytes": 512,
}


def run(argv, **answers):
    """``(exit code, output, [(method, kwargs)] of the storage calls)`` of one command."""
    out, rpc = io.StringIO(), FakeRpc()
    try:
        for method_name, answer in answers.items():
            rpc.answer("storage", method_name, answer)
        code = blogadmin.main(argv, rpc=rpc, out=out)
        return code, out.getvalue(), [(call.method, call.kwargs) for call in rpc.calls]
    finally:
        rpc.close()


def test_backup_and_list_print_ids_and_row_totals():
    code, out, _ = run(["backup"], backup=SUMMARY)
    assert (code, out) == (0, "backup 20260101T000000000000Z written: users 3 rows, blog 3 rows\n")
    code, out, _ = run(["list"], list_backups=[SUMMARY, {"id": "x", "error": "unreadable"}])
    assert out.splitlines() == [
        "20260101T000000000000Z  2026-01-01T00:00:00.000Z  users 3 rows, blog 3 rows  512 bytes",
        "x  unreadable: unreadable",
    ]


def test_failed_verification_exits_1_with_the_problems():
    answer = {"id": "b1", "ok": False, "problems": ["blog.tags: checksum does not match"]}
    code, out, _ = run(["verify", "b1"], verify_backup=answer)
    assert code == 1
    assert out.splitlines() == ["backup b1: FAILED", "  blog.tags: checksum does not match"]


def test_restore_passes_yes_as_confirm_and_refusals_exit_2(capsys):
    refusal = ValidationError.single("confirm", "the users database holds 3 rows")
    code, _, calls = run(["restore", "b1"], restore=refusal)
    assert code == 2 and calls[-1] == ("restore", {"backup_id": "b1", "confirm": False})
    assert "holds 3 rows" in capsys.readouterr().err
    restored = {"id": "b1", "restored": {"users": {"users": 2}, "blog": {"articles": 1}}}
    code, out, calls = run(["restore", "b1", "--yes"], restore=restored)
    assert (code, out) == (0, "backup b1 restored: users 2 rows, blog 1 rows\n")
    assert ("restore", {"backup_id": "b1", "confirm": True}) in calls


def test_check_exits_1_only_when_problems_remain():
    problems = {"ok": False, "repaired": False, "missing_user_ids": [7]}
    assert run(["check"], check_integrity=problems)[0] == 1
    code, _, calls = run(["check", "--repair"], check_integrity={**problems, "repaired": True})
    assert code == 0 and calls == [("check_integrity", {"repair": True})]


class SlowRpc:
    """The fake services, with a backup that takes a while and reports 40 of 100 rows
    done meanwhile."""

    def __init__(self, fake_rpc, seconds):
        self.storage = fake_rpc.storage
        self.seconds = seconds
        fake_rpc.answer(
            "storage",
            "backup_progress",
            {"operation": "backup", "backup_id": "b1", "done": 40, "total": 100},
        )

    def backup(self):
        time.sleep(self.seconds)
        return SUMMARY


def test_progress_bar_appears_for_long_work_and_ends_at_the_total(fake_rpc, monkeypatch, capsys):
    monkeypatch.setattr(blogadmin, "PROGRESS_POLL_SECONDS", 0.05)
    rpc = SlowRpc(fake_rpc, seconds=0.5)
    assert blogadmin.with_progress(rpc, "backup", rpc.backup) == SUMMARY
    last_state = capsys.readouterr().err.split("\r")[-1]
    assert "backup: 100%" in last_state and "100/100" in last_state


def test_work_done_before_the_first_poll_shows_no_bar(fake_rpc, monkeypatch, capsys):
    monkeypatch.setattr(blogadmin, "PROGRESS_POLL_SECONDS", 0.5)
    rpc = SlowRpc(fake_rpc, seconds=0)
    assert blogadmin.with_progress(rpc, "backup", rpc.backup) == SUMMARY
    assert capsys.readouterr().err == ""
