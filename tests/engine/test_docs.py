"""The worked example in docs/ENGINE.md runs and prints what the page says."""
import doctest
from pathlib import Path

import pandas as pd

DOC = Path(__file__).resolve().parents[2] / "docs" / "ENGINE.md"


def test_engine_doc_example_is_true():
    block = DOC.read_text(encoding="utf-8").split("```python")[1].split("```")[0]
    test = doctest.DocTestParser().get_doctest(block, {}, "ENGINE.md", str(DOC), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    with pd.option_context("display.width", 110):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted >= 10 and result.failed == 0
