"""What deploys the guide: the SAM template for the form functions."""

import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).parent.parent / "template.yaml"


def test_template_yaml_passes_cfn_lint():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(TEMPLATE)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_finds_a_broken_template(tmp_path):
    broken = tmp_path / "template.yaml"
    broken.write_text(TEMPLATE.read_text().replace("Timeout: 15", "Timeout: 9999"))
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(broken)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode != 0 and "9999" in result.stdout
