#!/usr/bin/env bash
# Set up everything huoye needs on a Debian 12 machine, idempotently.
#
#   bash scripts/setup.sh runtime   # what `make build` needs
#   bash scripts/setup.sh test      # runtime + what `make test` needs
#
# Steps (each one is skipped when already done, so a second run is a fast no-op):
#   1. Debian packages: checked with dpkg-query; only the missing ones are
#      installed (apt-get update + apt-get install), and only when running as
#      root with apt-get available. Otherwise the script prints which packages
#      are missing and the command to install them, and exits 1.
#   2. A virtual environment .venv at the repo root, with the project installed
#      editable with its test extra (pip install -e '.[test]'). The install is
#      redone only when pyproject.toml is newer than .venv/.installed-stamp
#      (or the stamp is missing, or .venv is broken).
#   3. (test only) The npm package axe-core (the accessibility checker the tests run
#      in Chromium) in .npm-tools/ (gitignored), at the version AXE_CORE_VERSION;
#      skipped when that version is there.
#
# Environment knobs:
#   HUOYE_PYTHON=/path/to/python3.11   interpreter used to create .venv (default: python3)
#   HUOYE_SETUP_SKIP_APT=1             skip the system-package step (non-Debian machines
#                                      where the libraries are installed some other way)
#   HUOYE_SETUP_PRETEND_MISSING="qpdf fontconfig"
#                                      treat these packages as missing (to test the
#                                      missing-package path; as root they get reinstalled)
#   HUOYE_SETUP_PRETEND_NONROOT=1      behave as if not root (to test the message)
#
# Exit codes: 0 ok, 1 missing system packages that could not be installed,
#             2 usage error, other: the failing command's code.
set -euo pipefail

log() { printf 'setup: %s\n' "$*"; }
err() { printf 'setup: error: %s\n' "$*" >&2; }

mode="${1:-}"
RUNTIME_PKGS=(
    libpango-1.0-0
    libpangoft2-1.0-0
    libharfbuzz-subset0
    fonts-noto-cjk
    fonts-lxgw-wenkai
    fontconfig
)
TEST_PKGS=(
    libreoffice-impress
    poppler-utils
    qpdf
    fonts-liberation
    chromium
    chromium-driver
    nodejs
    python3-venv
)
AXE_CORE_VERSION=4.14.1

case "$mode" in
    runtime) pkgs=("${RUNTIME_PKGS[@]}") ;;
    test)
        pkgs=("${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}")
        # Debian's npm is a package of its own (NodeSource's nodejs includes it).
        command -v npm >/dev/null 2>&1 || pkgs+=(npm)
        ;;
    *)
        err "usage: bash scripts/setup.sh runtime|test"
        exit 2
        ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

venv="$repo_root/.venv"
stamp="$venv/.installed-stamp"
python="${HUOYE_PYTHON:-python3}"

# ---------------------------------------------------------------- python ---
# On a bare Debian 12 the system python3 may be absent, or present without
# ensurepip (which lives in python3-venv); add those to the package list when
# they are needed to create the venv.
venv_ok() {
    [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import sys' >/dev/null 2>&1
}

if ! venv_ok; then
    if ! command -v "$python" >/dev/null 2>&1; then
        if [[ "$python" == python3 ]]; then
            pkgs+=(python3 python3-venv)
        else
            err "HUOYE_PYTHON=$python: no such interpreter"
            exit 1
        fi
    elif ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        if [[ "$(readlink -f "$(command -v "$python")")" == /usr/bin/* ]]; then
            pkgs+=(python3-venv)
        else
            err "$python has no 'ensurepip'/'venv' module, so it cannot create $venv;"
            err "use an interpreter that has them (HUOYE_PYTHON=...)"
            exit 1
        fi
    fi
fi

# -------------------------------------------------------- debian packages ---
is_installed() {
    local status
    status="$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" || return 1
    [[ "$status" == *" installed" ]]
}

pretend_missing=" ${HUOYE_SETUP_PRETEND_MISSING:-} "
is_root() {
    [[ -z "${HUOYE_SETUP_PRETEND_NONROOT:-}" && "$(id -u)" -eq 0 ]]
}

print_manual_install() {
    # $1: reason; rest: packages
    local reason="$1"
    shift
    err "$reason"
    err "missing system packages: $*"
    err "install them with:"
    printf '\n    sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s\n\n' "$*" >&2
    err "then run this again."
}

if [[ -n "${HUOYE_SETUP_SKIP_APT:-}" ]]; then
    log "HUOYE_SETUP_SKIP_APT is set: not checking system packages (${pkgs[*]})"
elif ! command -v dpkg-query >/dev/null 2>&1; then
    err "dpkg-query not found: this script only knows Debian/Ubuntu packages."
    err "install the equivalents of: ${pkgs[*]}"
    err "then rerun with HUOYE_SETUP_SKIP_APT=1"
    exit 1
else
    missing=()
    for p in "${pkgs[@]}"; do
        if [[ "$pretend_missing" == *" $p "* ]] || ! is_installed "$p"; then
            missing+=("$p")
        fi
    done

    if ((${#missing[@]} == 0)); then
        log "system packages for '$mode': all ${#pkgs[@]} installed"
    elif ! is_root; then
        print_manual_install "not running as root, so cannot install system packages." "${missing[@]}"
        exit 1
    elif ! command -v apt-get >/dev/null 2>&1; then
        print_manual_install "apt-get not found, so cannot install system packages." "${missing[@]}"
        exit 1
    else
        log "installing missing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}"
        still=()
        for p in "${missing[@]}"; do
            is_installed "$p" || still+=("$p")
        done
        if ((${#still[@]})); then
            err "apt-get finished but these are still not installed: ${still[*]}"
            exit 1
        fi
        log "system packages installed"
    fi
fi

# ------------------------------------------------------------------- venv ---
if ! venv_ok; then
    if [[ -e "$venv" ]]; then
        log "$venv exists but its python does not run: recreating it"
    else
        log "creating virtual environment $venv (with $python)"
    fi
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        err "$python is $("$python" -V 2>&1); huoye needs Python >= 3.11 (set HUOYE_PYTHON=...)"
        exit 1
    fi
    "$python" -m venv --clear "$venv"
    rm -f "$stamp"
fi

if [[ ! -e "$stamp" || pyproject.toml -nt "$stamp" ]]; then
    log "installing huoye (editable, with test extra) into $venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check -e '.[test]'
    touch "$stamp"
    log "python environment ready"
else
    log "python environment up to date ($venv; pyproject.toml not newer than stamp)"
fi

# ------------------------------------------------------------ npm tools ---
if [[ "$mode" == test ]]; then
    tools="$repo_root/.npm-tools"
    axe="$tools/node_modules/axe-core"
    if [[ -f "$axe/axe.min.js" ]] && grep -q "\"version\": \"$AXE_CORE_VERSION\"" "$axe/package.json"; then
        log "axe-core $AXE_CORE_VERSION present ($axe)"
    else
        log "installing axe-core $AXE_CORE_VERSION into $tools"
        mkdir -p "$tools"
        npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error \
            "axe-core@$AXE_CORE_VERSION"
    fi
fi
