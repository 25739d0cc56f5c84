"""The compare view shows what changed, with a little context, and folds the rest."""

from blog.revisions import CONTEXT_LINES, changed_lines


def test_changed_lines_keep_context_and_fold_long_unchanged_stretches():
    before = [f"行{number}" for number in range(1, 21)]
    after = [*before]
    after[9] = "十行目を書き換えた"

    lines = changed_lines(before, after)

    assert lines == [
        ("skipped", str(9 - CONTEXT_LINES)),
        ("same", "行8"),
        ("same", "行9"),
        ("removed", "行10"),
        ("added", "十行目を書き換えた"),
        ("same", "行11"),
        ("same", "行12"),
        ("skipped", str(20 - 10 - CONTEXT_LINES)),
    ]


def test_a_single_unchanged_line_is_shown_not_folded():
    lines = changed_lines(["一", "二", "三"], ["一", "二", "三", "四"])

    assert lines == [("same", "一"), ("same", "二"), ("same", "三"), ("added", "四")]


def test_blank_lines_are_lines_like_any_other():
    lines = changed_lines(["段落一", "", "段落二"], ["段落一", "", "段落二を直した"])

    assert lines == [
        ("same", "段落一"),
        ("same", ""),
        ("removed", "段落二"),
        ("added", "段落二を直した"),
    ]
