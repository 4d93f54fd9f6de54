"""`import kgraphs` and recipe validation never import TensorFlow."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.backend_independent(
    reason="TensorFlow must stay unimported; the TensorFlow backend is where it could be"
)

CHECK = "import sys; {code}; assert 'tensorflow' not in sys.modules, 'tensorflow imported'"


@pytest.mark.parametrize(
    "code",
    [
        "import kgraphs",
        "import kgraphs; kgraphs.architectures()",
        "import kgraphs, glob; [kgraphs.load_recipe(p) for p in glob.glob('recipes/**/*.*',"
        " recursive=True)]",
        "import kgraphs; kgraphs.load_recipe('ticket_priority', lstm_units=8)",
        "from kgraphs.cli.main import main; assert main(['validate', 'recipes']) == 0",
        "from kgraphs.cli.main import main; assert main(['list']) == 0",
        "from kgraphs.cli.main import main\n"
        "assert main(['render', 'graph/two_tower_retrieval']) == 0",
        "from kgraphs.cli.main import main\n"
        "assert main(['diff', 'ticket_priority', 'no.yaml']) == 2",
        "from kgraphs.cli.main import main; assert main(['schema']) == 0",
    ],
)
def test_no_tensorflow_import(code):
    result = subprocess.run(
        [sys.executable, "-c", CHECK.format(code=code)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
