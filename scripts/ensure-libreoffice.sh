#!/usr/bin/env bash
# The Gift Aid export's test opens the file in LibreOffice Calc, headless, as an editor would; Debian's package,
# never a download. Installs it from Debian's packages when it is missing and we may (root with apt-get), otherwise
# says how.
set -euo pipefail
command -v soffice >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "LibreOffice not found: installing Debian's libreoffice-calc-nogui package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq libreoffice-calc-nogui >/dev/null
  exit 0
fi
echo "LibreOffice not found. Install it with: sudo apt-get install -y libreoffice-calc-nogui" >&2
exit 1
