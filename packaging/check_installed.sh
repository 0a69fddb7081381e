#!/usr/bin/env bash
# CI's check of the Debian package (as root): install it, start what it installed, remove it.
#   packaging/check_installed.sh build/careapp_<version>_amd64.deb
# The GUI runs offscreen until its login window takes input (start-to-login is printed), and a
# sync pass starts the embedded demo's backend and hospital from the bundle.
set -euo pipefail
deb=${1:?the .deb to check}
dpkg -i "$deb"
for program in careapp careapp-server careapp-hospital-sim; do  # one executable, three names
  test "$(readlink -f "/usr/bin/$program")" = /opt/careapp/careapp
done
test -f /usr/share/applications/careapp.desktop
test -f /usr/share/icons/hicolor/scalable/apps/careapp.svg
ls /opt/careapp/_internal/PySide6/Qt/plugins/platforms/ | grep -q offscreen
ls /opt/careapp/_internal/careapp/ui/resources/translations/ | grep -q careapp_nl.qm
test -f /opt/careapp/_internal/careapp/server/hosted/templates/activity.html
careapp-server --help > /dev/null
careapp-hospital-sim --help > /dev/null

# The GUI offscreen: `--check-start` prints "ready" once the login window has painted and takes
# input, then quits once the local cache has opened (its migrations ran from the bundle).
profile=$(mktemp -d)
start=$(date +%s%N)
QT_QPA_PLATFORM=offscreen careapp --profile "$profile/gui" --check-start | {
  read -r line && test "$line" = ready
  echo "bundle start to login window: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  cat > /dev/null
}
# A headless sync pass on the demo profile starts the demo backend and hospital from the bundle
# (careapp-server, careapp-hospital-sim beside careapp), pairs and syncs with them.
summary=$(careapp --profile "$profile/demo" sync)
grep -q '"failed": false' <<< "$summary" || { echo "$summary"; exit 1; }
test -f "$profile/demo/demo/hospital.started" && test -f "$profile/demo/demo/server.sqlite3"
rm -rf "$profile"

dpkg -r careapp
test ! -e /opt/careapp && test ! -e /usr/bin/careapp
echo "installed, started and removed cleanly"
