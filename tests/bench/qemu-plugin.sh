#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/bench/qemu-plugin.sh OUTDIR: build the insncount plugin and its
# marker program into OUTDIR. qemu-plugin.h comes from Debian's source
# package of the QEMU installed here (no Debian binary package ships it),
# fetched through a private apt configuration under OUTDIR: the system's
# sources are left as they are. Prints nothing and fails if it cannot.
set -eu
HERE=$(realpath "$(dirname "$0")")
OUT=$(realpath -m "$1")
APT=$OUT/apt
version=$(dpkg-query -W -f '${source:Version}' qemu-system-x86)

mkdir -p "$APT"/lists/partial "$APT"/src
if [ ! -s "$OUT"/qemu-plugin.h ]; then
	{
		echo "deb-src http://deb.debian.org/debian bookworm main"
		echo "deb-src http://deb.debian.org/debian bookworm-updates main"
		echo "deb-src http://deb.debian.org/debian-security bookworm-security main"
	} >"$APT"/sources.list
	opts=(-o Dir::Etc::SourceList="$APT"/sources.list
	      -o Dir::Etc::SourceParts=- -o Dir::State::Lists="$APT"/lists
	      -o APT::Sandbox::User=root)
	apt-get "${opts[@]}" -qq update
	(cd "$APT"/src &&
	 apt-get "${opts[@]}" -qq source --download-only "qemu=$version")
	tar -xJf "$APT"/src/qemu_*.orig.tar.xz -C "$APT"/src \
		--wildcards '*/include/qemu/qemu-plugin.h'
	cp "$APT"/src/*/include/qemu/qemu-plugin.h "$OUT"/qemu-plugin.h
fi
cc -O2 -Wall -Wextra -Werror -shared -fPIC -I"$OUT" \
	-o "$OUT"/insncount.so "$HERE"/insncount.c -lpthread
cc -O2 -Wall -Wextra -Werror -o "$OUT"/insnmark "$HERE"/insnmark.c
