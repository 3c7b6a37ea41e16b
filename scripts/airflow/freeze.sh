#!/usr/bin/env bash
# Regenerate scripts/airflow/requirements/<VERSION>.txt: install apache-airflow==VERSION (plus
# psycopg2-binary, and on Airflow 3 the FAB auth manager provider) into a throw-away virtualenv and
# `pip freeze` it.
#
#   FREEZE_PYTHON=/path/to/python3.10 scripts/airflow/freeze.sh 3.3.2
#
# Settings (environment):
#   FREEZE_PYTHON        interpreter to resolve on: the OLDEST one the Airflow version supports
#                        (2.10: 3.8; 3.0: 3.9; 2.11, 3.1 - 3.3: 3.10). Newest releases of several
#                        dependencies need a newer Python, so a set frozen on a newer interpreter would
#                        not install on the oldest one, while a set frozen on the oldest installs on newer
#                        ones too (checked, see FREEZE_CHECK_PYTHONS).
#   FREEZE_CHECK_VERSIONS newer Python versions (default: "3.11 3.12 3.13"): a pin that none of them
#                        needs by the packages' own requirement markers (a backport) gets a
#                        `python_version < "X.Y"` marker. Then install the set on those interpreters
#                        (scripts/airflow.sh install with AIRFLOW_PYTHON) to prove that it installs there.
#   FREEZE_EXTRA         more requirement specs (space-separated) for the install, e.g. for 2.10.5 on 3.8
#                        "google-re2<1.1.20240702" (newer google-re2 has no Python 3.8 wheel, and its
#                        source build needs the abseil headers).
#   FREEZE_CONSTRAINTS   a pin file to keep where possible (e.g. the current one), passed to pip as -c.
#   FREEZE_VENV          reuse this already installed virtualenv instead of a throw-away one.
#
# Afterwards run `AIRFLOW_VERSION=<version> scripts/airflow.sh start` and
# `python3 scripts/airflow/smoke_test.py --url ...` before committing the new pin file.
set -euo pipefail

VERSION="${1:?usage: FREEZE_PYTHON=python3.10 $0 AIRFLOW_VERSION}"
PY="${FREEZE_PYTHON:-python3}"
CHECK_VERSIONS="${FREEZE_CHECK_VERSIONS:-3.11 3.12 3.13}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/requirements/$VERSION.txt"
PACKAGES=("apache-airflow==$VERSION" psycopg2-binary)
# Airflow 3 also needs asyncpg for PostgreSQL (its async engine; AIRFLOW_DB_URL).
[[ "$VERSION" == 3.* ]] && PACKAGES+=(apache-airflow-providers-fab asyncpg)
read -r -a EXTRA <<<"${FREEZE_EXTRA:-}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [[ -n "${FREEZE_VENV:-}" ]]; then
  venv="$FREEZE_VENV"
else
  venv="$work/venv"
  "$PY" -m venv "$venv"
  constraints=()
  [[ -n "${FREEZE_CONSTRAINTS:-}" ]] && constraints=(-c "$FREEZE_CONSTRAINTS")
  "$venv/bin/python" -m pip install --disable-pip-version-check --no-input "${PACKAGES[@]}" "${EXTRA[@]}" "${constraints[@]}"
fi
"$venv/bin/python" -m pip check
pyver="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
"$venv/bin/python" -m pip freeze --disable-pip-version-check >"$work/frozen.txt"

# Which pins does each newer interpreter need? Walk the requirement tree of the installed
# packages (their Requires-Dist with markers) from the requested packages, evaluating the markers
# for that Python version. A pin none of the newer versions needs (a backport) gets a marker.
"$venv/bin/python" - "$work/frozen.txt" "$VERSION" "$pyver" "$CHECK_VERSIONS" "${PACKAGES[*]}" >"$OUT.tmp" <<'PY'
from __future__ import annotations

import importlib.metadata as md
import re
import sys

from pip._vendor.packaging.requirements import Requirement

frozen, version, pyver, checked, packages = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), sys.argv[5]
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
key = lambda v: tuple(int(x) for x in v.split("."))
pins = [l.strip() for l in open(frozen) if "==" in l]
dists = {norm(d.metadata["Name"]): d for d in md.distributions()}


def closure(target: str) -> set[str]:
    env = {"python_version": target, "python_full_version": target + ".0"}
    seen: set[tuple[str, str]] = set()
    todo = [Requirement(p) for p in packages.split()]
    names: set[str] = set()
    while todo:
        req = todo.pop()
        name = norm(req.name)
        for extra in sorted(req.extras) or [""]:
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            names.add(name)
            dist = dists.get(name)
            if dist is None:
                continue
            for line in dist.requires or []:
                sub = Requirement(line)
                if sub.marker is None or sub.marker.evaluate({**env, "extra": extra}):
                    todo.append(sub)
    return names


needed = {v: closure(v) for v in checked}
base = closure(pyver)
print(f"""# Pinned Python environment for the local/dev/test Apache Airflow {version} (see scripts/airflow.sh).
#
# Produced with `pip freeze` from a clean virtualenv after `pip install {packages}`,
# resolved on Python {pyver} (the oldest interpreter this Airflow supports that was at hand). Pins that
# Python {', '.join(checked) or '-'} do not need (backports; from the packages' own requirement markers) carry a
# python_version marker. To refresh: FREEZE_PYTHON=<python{pyver}> scripts/airflow/freeze.sh {version}""")
for pin in pins:
    name = norm(pin.split("==")[0])
    unneeded = [v for v in sorted(checked, key=key) if name not in needed[v]]
    if name in base and unneeded and all(name not in needed[v] for v in checked if key(v) >= key(unneeded[0])):
        print(f'{pin} ; python_version < "{unneeded[0]}"')
    else:
        print(pin)
PY
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(grep -c '^[A-Za-z0-9].*==' "$OUT") pins, $(grep -c '^[A-Za-z0-9].*python_version' "$OUT" || true) with a marker; resolved on $pyver, markers for $CHECK_VERSIONS)"
