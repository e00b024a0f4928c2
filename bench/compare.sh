#!/usr/bin/env bash
# Side-by-side benchmark of folio against headless Chromium, wkhtmltopdf and WeasyPrint.
#
#   bench/compare.sh [--runs N] [--quick] [--out FILE] [other bench/compare.py options]
#
# Installs what is missing (Debian packages chromium, wkhtmltopdf, poppler-utils, time, fonts-noto-cjk;
# PyPI weasyprint and websocket-client), builds folio (`cargo build --release -p folio-cli --bins -p folio
# --example warm`) and runs bench/compare.py,
# which prints a Markdown report and writes it to FILE (default /tmp/folio-compare.md) with the raw runs
# as JSON beside it. See bench/README.md.
set -euo pipefail

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
  esac
done

cd "$(dirname "$0")/.."
say() { printf 'compare.sh: %s\n' "$*" >&2; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Debian packages: command -> package.
apt_missing=()
command -v chromium >/dev/null 2>&1 || apt_missing+=(chromium)
command -v wkhtmltopdf >/dev/null 2>&1 || apt_missing+=(wkhtmltopdf)
command -v pdfinfo >/dev/null 2>&1 || apt_missing+=(poppler-utils)
[ -x /usr/bin/time ] || apt_missing+=(time)
# The corpus has Korean pages; without a CJK face every tool prints their glyphs as boxes, faster and
# not comparable with docs/performance.md, whose runs had Noto CJK installed.
[ "$(fc-list :lang=ko 2>/dev/null | wc -l)" != 0 ] || apt_missing+=(fonts-noto-cjk)
command -v python3 >/dev/null 2>&1 || apt_missing+=(python3)
python3 -m pip --version >/dev/null 2>&1 || apt_missing+=(python3-pip)
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${apt_missing[*]} (apt-get install -y${SUDO:+, with sudo})"
  $SUDO apt-get update
  $SUDO apt-get install -y "${apt_missing[@]}"
else
  say "Debian packages present: chromium, wkhtmltopdf, poppler-utils (pdfinfo), time, python3, pip, a Korean font"
fi

# PyPI packages, for the user (or system-wide when root). Debian's Python refuses `pip install` outside
# a virtual environment (PEP 668): then retry with --break-system-packages, which only adds packages.
export PATH="$HOME/.local/bin:$PATH"
pip_install() {
  local pip=(python3 -m pip install --quiet)
  if [ "$(id -u)" != 0 ]; then pip+=(--user); fi
  "${pip[@]}" "$@" || "${pip[@]}" --break-system-packages "$@"
}
if ! command -v weasyprint >/dev/null 2>&1; then
  say "installing PyPI package: weasyprint (pip)"
  pip_install weasyprint
else
  say "weasyprint present: $(command -v weasyprint)"
fi
if ! python3 -c 'import websocket' >/dev/null 2>&1; then
  say "installing PyPI package: websocket-client (pip), for the warm Chromium measurement"
  pip_install websocket-client || say "websocket-client not installed: the warm Chromium column will be skipped"
fi

if [ "$(fc-list :lang=ko 2>/dev/null | wc -l)" = 0 ]; then
  say "note: still no font covers Korean; the Korean pages render with missing glyphs in every tool"
fi

command -v cargo >/dev/null 2>&1 || { say "cargo not found: install Rust (https://rustup.rs), 1.92 or newer"; exit 2; }
# One invocation: built apart, the two would unify their dependencies' features differently and
# compile most dependencies twice.
say "building folio: cargo build --release -p folio-cli --bins -p folio --example warm"
cargo build --release -p folio-cli --bins -p folio --example warm

cmdline="bench/compare.sh"
for arg in "$@"; do cmdline+=" $(printf '%q' "$arg")"; done
exec python3 bench/compare.py --command "$cmdline" "$@"
