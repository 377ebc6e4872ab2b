#!/bin/sh
# Make Debian's phcpy (python3-phcpy, PHCpack 2.4.86) importable from the venv given as $1.
# Installs the Debian package when it is missing and we may (root, or password-less sudo);
# otherwise says in one line what to install. Idempotent.
set -eu
venv=$1
debian=/usr/lib/python3/dist-packages
py="$venv/bin/python"

if ! [ -d "$debian/phcpy" ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
        echo "landscape needs Debian's python3-phcpy: run 'sudo apt-get install python3-phcpy', then make again" >&2
        exit 1
    fi
    echo "installing python3-phcpy (apt-get)"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-phcpy >/dev/null
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
