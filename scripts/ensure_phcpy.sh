#!/bin/sh
# Make Debian's phcpy (python3-phcpy, PHCpack 2.4.86) importable from the venv given as $1.
# Installs the Debian package when it is missing (scripts/apt_install.sh). Idempotent.
set -eu
venv=$1
debian=/usr/lib/python3/dist-packages
py="$venv/bin/python"

if ! [ -d "$debian/phcpy" ]; then
    sh "$(dirname "$0")/apt_install.sh" python3-phcpy
fi

# Link only the phcpy package (not all of Debian's dist-packages) onto the venv's path.
site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p "$venv/phcpy-site"
ln -sfn "$debian/phcpy" "$venv/phcpy-site/phcpy"
echo "$(cd "$venv/phcpy-site" && pwd)" > "$site/debian-phcpy.pth"

if ! "$py" -c 'import phcpy' >/dev/null 2>&1; then
    echo "phcpy is installed in $debian but does not import in $venv (needs CPython 3.11, as Debian's python3-phcpy is built for it)" >&2
    exit 1
fi
