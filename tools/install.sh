#!/usr/bin/env bash
# Creates the virtual environment and installs the project into it, a line per step with its
# elapsed time (pip itself stays quiet: a first install takes a few minutes, not a screenful).
set -euo pipefail
python=$1 venv=$2
started=$(date +%s)
step() { printf -- '-- %s (%ss so far)\n' "$1" "$(( $(date +%s) - started ))"; }

if [ ! -x "$venv/bin/python" ]; then
    step "creating the virtual environment $venv"
    "$python" -m venv "$venv"
fi
step "upgrading pip"
"$venv/bin/python" -m pip install -q --upgrade pip
step "installing the project and its dependencies (first time: a few minutes)"
"$venv/bin/python" -m pip install -q -e '.[dev]'
step "installed"
