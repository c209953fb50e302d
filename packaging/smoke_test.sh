#!/usr/bin/env bash
# Smoke test of a built bundle: packaging/smoke_test.sh DIST_DIR   (CI runs it after `make package`)
#
# Runs the frozen executable itself, never the source tree, in a scratch home:
#   1. --version
#   2. selftest (keyring backend, Qt plugins, TLS roots, data folders, SQLite); on Linux inside
#      a private D-Bus session with an unlocked gnome-keyring, so the frozen Secret Service
#      backend is exercised for real
#   3. import of a Nexpura export (packaging/smoke/sample-export.json), then a CSV export of it
#   4. quickstart: the headless demo (demo shop, in-process sandbox, connect, sync, export)
#   5. selftest --window: the real main window opened offscreen
# Exit status 0 only when every step passed; each step prints one "smoke: ..." line.
set -euo pipefail

die() { echo "smoke: FAIL: $*" >&2; exit 1; }
[ $# -eq 1 ] || die "usage: $0 DIST_DIR (the folder made by make package, e.g. dist/nexpura-desktop)"
here=$(cd "$(dirname "$0")" && pwd)
dist=$(cd "$1" && pwd) || die "no such folder: $1"

if [ -x "$dist/nexpura-desktop-cli.exe" ]; then exe="$dist/nexpura-desktop-cli.exe"      # Windows
elif [ -x "$dist/Contents/MacOS/nexpura-desktop" ]; then exe="$dist/Contents/MacOS/nexpura-desktop"  # .app
else exe="$dist/nexpura-desktop"; fi
[ -x "$exe" ] || die "no executable in $dist"

# Linux: re-run this script inside its own session bus with a fresh, unlocked keyring.
if [ -z "${SMOKE_INNER:-}" ] && [ "$(uname -s)" = "Linux" ]; then
  work=$(mktemp -d "${TMPDIR:-/tmp}/nexpura-smoke.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/user" && mkdir -m 700 "$work/run"
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    HOME="$work/user" XDG_RUNTIME_DIR="$work/run" XDG_DATA_HOME="$work/user/data" \
      XDG_CONFIG_HOME="$work/user/config" SMOKE_INNER=keyring SMOKE_WORK="$work" \
      dbus-run-session -- bash "$0" "$dist" 2> >(grep -v 'Failed to set fd limit' >&2)
    exit $?
  fi
  [ "${CI:-}" != "true" ] || die "CI needs dbus-run-session and gnome-keyring-daemon (apt: dbus gnome-keyring)"
  echo "smoke: note: no dbus-run-session/gnome-keyring here; the keyring check uses the memory keyring"
  export NEXPURA_DESKTOP_KEYRING=memory
  SMOKE_INNER=plain SMOKE_WORK="$work" bash "$0" "$dist"
  exit $?
fi
work="${SMOKE_WORK:-$(mktemp -d)}"
if [ "${SMOKE_INNER:-}" = "keyring" ]; then
  printf '%s' smoke-test | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null \
    || die "gnome-keyring-daemon did not start"
fi

export NEXPURA_DESKTOP_HOME="$work/home" QT_QPA_PLATFORM=offscreen
unset NEXPURA_DESKTOP_SANDBOX
log="$work/step.log"
step() {  # step NAME COMMAND...: run it (5 min cap), keep its output in $log, time it
  local name=$1 started=$SECONDS rc=0; shift
  timeout 300 "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$log" >&2; die "$name (exit status $rc)"
  fi
  passed=$((passed + 1))
  echo "smoke: $name ok ($((SECONDS - started)) s)"
}
passed=0

step "--version" "$exe" --version
grep -Eq '^nexpura-desktop [0-9]+\.[0-9]+' "$log" || die "--version printed: $(cat "$log")"

step "selftest" "$exe" selftest
sed 's/^/  /' "$log"
if [ "${SMOKE_INNER:-}" = "keyring" ]; then
  grep -Eq '^ok +keyring +keyring\.backends\.SecretService' "$log" \
    || die "the frozen build did not use the Secret Service keyring"
fi

step "import" "$exe" import "$here/smoke/sample-export.json"
step "export" "$exe" export --out "$work/out"
export_dir=$(tail -n 1 "$log")
[ -f "$export_dir/manifest.json" ] || die "export wrote no manifest.json in '$export_dir'"
grep -q 'Ava Lindqvist' "$export_dir/customers.csv" || die "the imported customer is not in customers.csv"
grep -q "'=HYPERLINK" "$export_dir/customers.csv" || die "a formula cell was not neutralised"

step "headless demo" "$exe" quickstart --home "$work/demo"
grep -q 'full CSV export' "$log" || { cat "$log" >&2; die "quickstart did not write its export"; }
ls "$work"/demo/exports/nexpura-export-*/customers.csv >/dev/null 2>&1 \
  || die "quickstart's export folder has no customers.csv"

step "window" "$exe" selftest --window
grep -Eq '^ok +window' "$log" || { cat "$log" >&2; die "the window did not open"; }
grep -E '^ok +window' "$log" | sed 's/^/  /'
echo "smoke: every step passed for $dist"
echo "smoke: $passed passed, 0 failed"
