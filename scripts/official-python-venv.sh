#!/usr/bin/env bash
# Makes a Python virtual environment with Alibaba's official SDKs for Emr 2016-04-08 at the
# versions pinned in test/official/python/requirements.txt, for the official-client tests
# (test/official/pythonSdks.spec.ts). Usage: scripts/official-python-venv.sh <directory>
# The directory must be outside the repository's tracked files (`.venv-official/` is ignored).
# Prints the interpreter's path on its last line.
set -euo pipefail
dir="${1:?usage: $0 <directory>}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$dir"
"$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$here/test/official/python/requirements.txt"
"$dir/bin/python" -c "import alibabacloud_emr20160408, aliyunsdkemr, aliyunsdkcore"
echo "$dir/bin/python"
