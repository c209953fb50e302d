#!/usr/bin/env sh
# Install this unpacked bundle for the current user: a `nexpura-desktop` command in
# ~/.local/bin, the menu entry and the icon.  Run it from inside the bundle's folder
# (or give the folder as $1).  `install.sh --uninstall` removes those three again;
# the bundle folder itself and the shop's data are left alone.
set -eu
bin="${XDG_BIN_HOME:-$HOME/.local/bin}"
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$bin/nexpura-desktop" "$apps/nexpura-desktop.desktop" "$icons/nexpura-desktop.png"
  echo "removed the command, menu entry and icon"
  exit 0
fi
here=$(cd "${1:-$(dirname "$0")}" && pwd)
[ -x "$here/nexpura-desktop" ] || { echo "no nexpura-desktop executable in $here" >&2; exit 1; }
mkdir -p "$bin" "$apps" "$icons"
ln -sf "$here/nexpura-desktop" "$bin/nexpura-desktop"
sed "s|^Exec=.*|Exec=\"$here/nexpura-desktop\"|" "$here/nexpura-desktop.desktop" > "$apps/nexpura-desktop.desktop"
[ -f "$here/nexpura-desktop.png" ] && cp "$here/nexpura-desktop.png" "$icons/nexpura-desktop.png"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
echo "installed: $bin/nexpura-desktop and the Nexpura Desktop menu entry"
