#!/usr/bin/env bash
# Installs what this project needs on a Debian 12 machine; safe to run again (it only does what is missing).
#   - Debian packages: fonts, HarfBuzz/Pango for PDF rendering, Chromium for the browser tests, poppler-utils.
#   - A virtualenv at .venv with the project and its dev tools (`pip install -e '.[dev]'`), re-installed only
#     when pyproject.toml has changed since the last successful install.
#   - Browser libraries from npm (frontend/package.json, package-lock.json: Apache ECharts for the bank portfolio's
#     charts), copied into frontend/static/vendor/ (git-ignored) and served by the app: never a CDN. The browser
#     tests' axe-core (a devDependency) stays in frontend/node_modules/ (tests/e2e/crawl.py injects it). Without npm
#     setup says so and carries on; the portfolio page then shows its tables without charts.
# Without root or network the Debian step reports what is missing and carries on; under CI=true a missing
# Chromium is an error, because CI must run the browser tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'setup: %s\n' "$*"; }
warn() { printf 'setup: WARNING: %s\n' "$*" >&2; }

# ------------------------------------------------------------------------------------------ Debian packages

DEB_PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0)
# npm fetches the browser libraries (below); a Node.js installed another way brings its own npm.
command -v npm >/dev/null 2>&1 || DEB_PACKAGES+=(npm)

what_needs() {
    case "$1" in
        chromium) echo "the Playwright browser tests (skipped locally; CI=true fails without it)" ;;
        fonts-noto-cjk) echo "Chinese text in rendered PDFs and browser screenshots (shows as empty boxes)" ;;
        libharfbuzz-subset0 | libpango-1.0-0 | libpangoft2-1.0-0) echo "PDF rendering (WeasyPrint needs Pango/HarfBuzz)" ;;
        poppler-utils) echo "the PDF checks in the tests (pdftotext/pdftoppm)" ;;
        npm) echo "the charts (Apache ECharts from npm; the pages show tables only without it)" ;;
        *) echo "parts of the project" ;;
    esac
}

is_installed() {
    local status
    status="$(dpkg -s "$1" 2>/dev/null | sed -n 's/^Status: //p')" || return 1
    [[ "$status" == "install ok installed" ]]
}

missing_packages() {
    local pkg
    for pkg in "${DEB_PACKAGES[@]}"; do
        is_installed "$pkg" || printf '%s\n' "$pkg"
    done
}

install_debian_packages() {
    local -a missing still_missing sudo_cmd=()
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]} == 0)); then
        say "Debian packages present: ${DEB_PACKAGES[*]}"
        return 0
    fi

    say "installing Debian packages: ${missing[*]}"
    local can_try=1
    if ! command -v apt-get >/dev/null 2>&1; then
        warn "apt-get not found (not a Debian machine?)"
        can_try=0
    elif ((EUID != 0)); then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo_cmd=(sudo -n)
        else
            warn "not root and no password-less sudo: cannot run apt-get"
            can_try=0
        fi
    fi

    if ((can_try)); then
        export DEBIAN_FRONTEND=noninteractive
        if "${sudo_cmd[@]}" apt-get update -qq; then
            if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
                # One at a time, so that one unavailable package does not keep out the others.
                local pkg
                for pkg in "${missing[@]}"; do
                    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "$pkg" ||
                        warn "apt-get could not install $pkg"
                done
            fi
        else
            warn "apt-get update failed (no network?)"
        fi
    fi

    mapfile -t still_missing < <(missing_packages)
    if ((${#still_missing[@]} == 0)); then
        say "Debian packages installed"
        return 0
    fi
    warn "these Debian packages could not be installed:"
    local pkg chromium_missing=0
    for pkg in "${still_missing[@]}"; do
        printf 'setup:   - %-20s needed for %s\n' "$pkg" "$(what_needs "$pkg")" >&2
        [[ "$pkg" == chromium ]] && chromium_missing=1
    done
    warn "install them as root with: apt-get install ${still_missing[*]}"
    if ((chromium_missing)) && [[ "${CI:-}" =~ ^([Tt][Rr][Uu][Ee]|1|[Yy][Ee][Ss])$ ]]; then
        printf 'setup: ERROR: CI=true and chromium is missing: the browser tests cannot run.\n' >&2
        return 1
    fi
    return 0
}

# ---------------------------------------------------------------------------------------------- virtualenv

VENV="$ROOT/.venv"
MARKER="$VENV/.market-installed"

ensure_venv() {
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        return 0
    fi
    if [[ -e "$VENV" ]]; then
        say "recreating the broken virtualenv at .venv"
        python3 -m venv --clear "$VENV"
    else
        say "creating the virtualenv at .venv"
        python3 -m venv "$VENV"
    fi
    rm -f "$MARKER"
}

install_project() {
    local want have=""
    # The hash covers pyproject.toml and the interpreter, so a new Python also re-installs.
    want="$("$VENV/bin/python" - <<'PY'
import hashlib, sys
h = hashlib.sha256(open("pyproject.toml", "rb").read())
h.update(sys.version.encode())
print(h.hexdigest())
PY
)"
    [[ -f "$MARKER" ]] && have="$(<"$MARKER")"
    if [[ "$want" == "$have" && -x "$VENV/bin/market" ]]; then
        say "Python packages up to date (pyproject.toml unchanged)"
        return 0
    fi
    say "installing the project into .venv (pip install -e '.[dev]')"
    rm -f "$MARKER"
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -e '.[dev]'; then
        printf 'setup: ERROR: pip install failed (see above)\n' >&2
        return 1
    fi
    printf '%s\n' "$want" >"$MARKER"
    say "Python packages installed"
}

# ---------------------------------------------------------------------------------------- browser libraries

FRONTEND="$ROOT/frontend"
VENDOR="$FRONTEND/static/vendor"

install_browser_libraries() {
    local version want have=""
    local axe
    version="$(sed -n 's/.*"echarts": *"\([^"]*\)".*/\1/p' "$FRONTEND/package.json")"
    axe="$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' "$FRONTEND/package.json")"
    want="echarts $version, axe-core $axe"
    [[ -f "$VENDOR/.installed" ]] && have="$(<"$VENDOR/.installed")"
    if [[ "$want" == "$have" && -f "$VENDOR/echarts.min.js" && -f "$FRONTEND/node_modules/axe-core/axe.min.js" ]]; then
        say "browser libraries up to date ($want)"
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        warn "npm not found: Apache ECharts is not installed, so /bank/portfolio shows its tables without charts"
        warn "install Node.js and npm (apt-get install npm) and run scripts/setup.sh again for the charts"
        return 0
    fi
    say "installing browser libraries from npm ($want)"
    if ! (cd "$FRONTEND" && npm ci --no-audit --no-fund --silent); then
        warn "npm ci failed (no network?): /bank/portfolio shows its tables without charts"
        return 0
    fi
    mkdir -p "$VENDOR"
    cp "$FRONTEND/node_modules/echarts/dist/echarts.common.min.js" "$VENDOR/echarts.min.js"
    cp "$FRONTEND/node_modules/echarts/LICENSE" "$VENDOR/ECHARTS-LICENSE"
    cp "$FRONTEND/node_modules/echarts/NOTICE" "$VENDOR/ECHARTS-NOTICE" 2>/dev/null || true
    # axe-core (a devDependency) is for the browser tests only: they inject node_modules/axe-core/axe.min.js into
    # the pages they crawl (tests/e2e/crawl.py); the app never serves it.
    printf '%s\n' "$want" >"$VENDOR/.installed"
    say "browser libraries installed into frontend/static/vendor/"
}

install_debian_packages
ensure_venv
install_project
install_browser_libraries
say "done"
