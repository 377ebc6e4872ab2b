#!/bin/sh
# Install the Debian packages named in the arguments, when we may (root, or password-less
# sudo); otherwise say in one line what to install and fail.
set -eu
if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "landscape needs Debian's $*: run 'sudo apt-get install $*', then make again" >&2
    exit 1
fi
echo "installing $* (apt-get)"
$sudo apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
