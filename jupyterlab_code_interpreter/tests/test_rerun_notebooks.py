"""A notebook a turn leaves behind reruns clean outside JupyterLab (issue 12, part 1).

The fixtures are notebooks the ui-tests saved, unchanged: ``fixtures/rerun/repaired.ipynb`` by
"a repaired KeyError leaves one cell…", ``fixtures/rerun/gaveup.ipynb`` by "a turn that gives
up leaves the failed cell tagged…" and ``fixtures/rerun/declined.ipynb`` by "a skipped step stays
as a raw cell…", all in ui-tests/tests/interpreter-rerun.spec.ts (run it with
``RERUN_FIXTURE_DIR=<this folder>/fixtures/rerun`` to make them again). nbclient executes them in
a real ipykernel, as ``jupyter nbconvert --execute`` or papermill would.
"""

import copy
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

FIXTURES = Path(__file__).parent / "fixtures" / "rerun"
# The CSV the ui-test uploaded beside the notebook (interpreter-rerun.spec.ts, PRICES).
PRICES = "item,price\na,10\nb,15\nc,11\nd,14\n"


def _execute(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    return client.execute()


def _load(name: str, folder: Path) -> nbformat.NotebookNode:
    shutil.copy(FIXTURES / name, folder / name)
    (folder / "prices.csv").write_text(PRICES)
    return nbformat.read(folder / name, as_version=4)


def _stdout(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_a_repaired_turn_reruns_without_error_and_prints_the_answer(tmp_path):
    nb = _load("repaired.ipynb", tmp_path)
    step = nb.cells[1]
    # One step cell: the repair, with the failed attempt in its metadata.
    assert step.metadata.code_interpreter.attempts[0].ename == "KeyError"
    assert "raises-exception" not in step.metadata.get("tags", [])

    executed = _execute(nb, tmp_path)

    assert _stdout(executed.cells[1]) == "mean price: 12.5\n"
    assert not [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]


def test_the_failed_attempt_as_its_own_cell_would_break_the_rerun(tmp_path):
    """The layout before the repair took the failed cell: the failed code first, as a cell."""
    nb = _load("repaired.ipynb", tmp_path)
    attempt = nb.cells[1].metadata.code_interpreter.attempts[0]
    nb.cells.insert(1, nbformat.v4.new_code_cell(attempt.source))

    with pytest.raises(CellExecutionError, match="KeyError"):
        _execute(nb, tmp_path)


def test_a_turn_that_gave_up_reruns_up_to_the_failed_cell_and_past_it(tmp_path):
    nb = _load("gaveup.ipynb", tmp_path)
    assert nb.cells[2].metadata.tags == ["raises-exception"]

    executed = _execute(nb, tmp_path)

    assert _stdout(executed.cells[1]) == "total: 40\n"
    errors = [o for o in executed.cells[2].outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["NameError"]
    # The user's cell after the failed one ran too.
    assert _stdout(executed.cells[3]) == "after the failed step\n"


def test_without_the_tag_the_failed_cell_stops_the_rerun(tmp_path):
    nb = _load("gaveup.ipynb", tmp_path)
    untagged = copy.deepcopy(nb)
    del untagged.cells[2].metadata["tags"]

    with pytest.raises(CellExecutionError, match="NameError"):
        _execute(untagged, tmp_path)


def test_a_skipped_step_stays_a_raw_cell_the_rerun_does_not_run(tmp_path):
    nb = _load("declined.ipynb", tmp_path)
    declined = nb.cells[1]
    assert declined.cell_type == "raw"
    assert "marker.txt" in declined.source
    assert declined.metadata.code_interpreter.status == "skipped"

    executed = _execute(nb, tmp_path)

    assert not (tmp_path / "marker.txt").exists()
    # The user's cell after it ran.
    assert _stdout(executed.cells[2]) == "after the skipped step\n"


def test_the_skipped_step_as_a_code_cell_would_run_in_the_rerun(tmp_path):
    """The layout before declined steps became raw cells: the declined code as a code cell."""
    nb = _load("declined.ipynb", tmp_path)
    declined = nb.cells[1]
    nb.cells[1] = nbformat.v4.new_code_cell(declined.source, metadata=declined.metadata)

    _execute(nb, tmp_path)

    assert (tmp_path / "marker.txt").read_text() == "ran"


def test_the_fixtures_hold_no_key():
    for path in FIXTURES.glob("*.ipynb"):
        text = path.read_text()
        assert "sim-key" not in text
        assert json.loads(text)["nbformat"] == 4
