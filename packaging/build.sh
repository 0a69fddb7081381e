#!/usr/bin/env bash
# Build the Linux packages of CareApp with one command:
#   packaging/build.sh            -> build/careapp_<version>_amd64.deb and build/careapp-<version>-linux-x86_64.tar.gz
# from a frozen PyInstaller bundle (onedir) that installs to /opt/careapp. Needs the environment
# the app runs in plus pyinstaller (pip install -e '.[packaging]') and dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
version=$("$python" -c 'import careapp; print(careapp.__version__)')
build=build
rm -rf "$build/dist" "$build/deb"
"$python" -m PyInstaller --noconfirm --log-level WARN --distpath "$build/dist" --workpath "$build/work" packaging/careapp.spec
# The other two programs are links to the one executable, which runs the program it is started as.
for program in careapp-server careapp-hospital-sim; do
  ln -s careapp "$build/dist/careapp/$program"
done

# The tarball: the bundle as it is, to unpack anywhere (run ./careapp/careapp).
tar -C "$build/dist" -czf "$build/careapp-$version-linux-x86_64.tar.gz" careapp

# The Debian package: the bundle in /opt/careapp, the programs on the PATH, a menu entry, the icon.
root="$build/deb"
install -d "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/DEBIAN"
cp -a "$build/dist/careapp" "$root/opt/careapp"
for program in careapp careapp-server careapp-hospital-sim; do
  ln -s "/opt/careapp/$program" "$root/usr/bin/$program"
done
sed 's/^Exec=careappw$/Exec=careapp/' packaging/careapp.desktop > "$root/usr/share/applications/careapp.desktop"
install -m 644 resources/icons/careapp.svg "$root/usr/share/icons/hicolor/scalable/apps/careapp.svg"
size=$(du -sk "$root/opt" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: careapp
Version: $version
Section: science
Priority: optional
Architecture: amd64
Installed-Size: $size
Depends: libc6, libegl1, libgl1, libglib2.0-0, libfontconfig1, libxkbcommon0, libxkbcommon-x11-0, libdbus-1-3, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-randr0, libxcb-render-util0, libxcb-image0, libxcb-xinerama0
Maintainer: CareApp <support@careapp.invalid>
Description: Ward workstation for care flows, with its regional backend
 CareApp enrolls ward patients in care flows and hands them hosted pages links
 as QR codes. Includes careapp-server (the regional backend) and
 careapp-hospital-sim (a stand-in hospital for demos and tests).
CONTROL
dpkg-deb --root-owner-group -Zgzip --build "$root" "$build/careapp_${version}_amd64.deb" >/dev/null
echo "$build/careapp_${version}_amd64.deb"
echo "$build/careapp-$version-linux-x86_64.tar.gz"
