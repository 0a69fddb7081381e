#!/usr/bin/env bash
# CI's check of the Debian package (as root): install it, start what it installed, remove it.
#   packaging/check_installed.sh build/careapp_<version>_amd64.deb
# The GUI runs offscreen with a fresh profile until it logs that the login window is open; the
# time that took is printed (start-to-login of the bundle), then it is stopped.
set -euo pipefail
deb=${1:?the .deb to check}
dpkg -i "$deb"
for program in careapp careapp-server careapp-hospital-sim; do
  test "$(readlink -f "/usr/bin/$program")" = "/opt/careapp/$program"
done
test -f /usr/share/applications/careapp.desktop
test -f /usr/share/icons/hicolor/scalable/apps/careapp.svg
ls /opt/careapp/_internal/PySide6/Qt/plugins/platforms/ | grep -q offscreen
ls /opt/careapp/_internal/careapp/ui/resources/translations/ | grep -q careapp_nl.qm
test -f /opt/careapp/_internal/careapp/server/hosted/templates/activity.html
careapp-server --help > /dev/null
careapp-hospital-sim --help > /dev/null

profile=$(mktemp -d)
log="$profile/careapp.log"
start=$(date +%s%N)
QT_QPA_PLATFORM=offscreen CAREAPP_PROFILE="$profile" careapp > "$log" 2>&1 &
app=$!
for _ in $(seq 1 1200); do  # up to two minutes, looking every 0.1 s
  grep -q "login window open" "$log" && break
  kill -0 "$app" 2>/dev/null || { cat "$log"; echo "careapp exited before its login window"; exit 1; }
  sleep 0.1
done
grep -q "login window open" "$log" || { cat "$log"; echo "no login window within two minutes"; exit 1; }
echo "bundle start to login window: $(( ($(date +%s%N) - start) / 1000000 )) ms"
kill -TERM "$app"
wait "$app" || true
rm -rf "$profile"

dpkg -r careapp
test ! -e /opt/careapp && test ! -e /usr/bin/careapp
echo "installed, started and removed cleanly"
