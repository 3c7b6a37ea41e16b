#!/usr/bin/env bash
# Regenerate scripts/airflow/requirements.txt: install apache-airflow==VERSION into a throw-away
# virtualenv and `pip freeze` it.
#
#   FREEZE_PYTHON=/path/to/python3.10 scripts/airflow/freeze.sh 3.3.2
#
# Resolve on the OLDEST Python that Airflow supports (3.10 for Airflow 3.3): the newest releases of
# several dependencies need 3.11+, so a set frozen on 3.11 would not install on 3.10, while a set
# frozen on 3.10 installs on 3.10 - 3.13 (checked for 3.3.2). Backports that only 3.10 needs get a
# `python_version < "3.11"` marker. Afterwards run `scripts/airflow.sh start` and
# `python3 scripts/airflow/smoke_test.py --url ...` before committing the new pin file.
set -euo pipefail

VERSION="${1:?usage: FREEZE_PYTHON=python3.10 $0 AIRFLOW_VERSION}"
PY="${FREEZE_PYTHON:-python3}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/requirements.txt"
BACKPORTS='^(backports\.strenum|exceptiongroup|tomli|async-timeout)=='

pyver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$pyver" != 3.10 ]]; then
  echo "warning: resolving with Python $pyver; the pin file may then not install on older interpreters" >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PY" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --disable-pip-version-check --no-input "apache-airflow==$VERSION"
"$work/venv/bin/python" -m pip check

{
  cat <<EOF
# Pinned Python environment for the local/dev/test Apache Airflow (see scripts/airflow.sh).
#
# Produced with \`pip freeze\` from a clean virtualenv after \`pip install apache-airflow==$VERSION\`,
# resolved on Python $pyver (the oldest interpreter Airflow supports) so that the same set
# also installs on newer ones (3.3.2 set checked on 3.10 - 3.13). Backports get a python_version marker.
# To refresh: FREEZE_PYTHON=<python3.10> scripts/airflow/freeze.sh <airflow-version>
EOF
  "$work/venv/bin/python" -m pip freeze --disable-pip-version-check |
    sed -E "/$BACKPORTS/ s/\$/ ; python_version < \"3.11\"/"
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(grep -c '==' "$OUT") pins)"
