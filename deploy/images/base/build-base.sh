#!/usr/bin/env bash
# Builds the base image of the local images, conduit-local/debian:bookworm, without
# any image registry: a minimal Debian 12 root file system made by debootstrap
# from the Debian archive apt already uses on this host, then `docker import`ed.
#
#   deploy/images/base/build-base.sh [IMAGE]      (as root; needs debootstrap)
#
# DEBIAN_MIRROR overrides the archive (default: the host's first apt source, or
# http://deb.debian.org/debian). About 80 s on a 2-core machine.
set -euo pipefail

image="${1:-conduit-local/debian:bookworm}"
suite=bookworm

host_mirror() {
  # The first "URIs:" (deb822) or "deb URI" (one-line) entry of the host's apt sources.
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
         | grep -v -- '-security' | head -n1 || true)"
  if [ -z "$uri" ]; then
    uri="$(grep -hsE '^deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
           | awk '{print $2}' | grep -v -- '-security' | grep -i debian | head -n1 || true)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror="${DEBIAN_MIRROR:-$(host_mirror)}"
security_mirror="${mirror%/debian}/debian-security"

if ! command -v debootstrap >/dev/null 2>&1; then
  echo "build-base: debootstrap is missing (apt-get install debootstrap)" >&2
  exit 1
fi

rootfs="$(mktemp -d /var/tmp/conduit-rootfs.XXXXXX)"
trap 'rm -rf --one-file-system "$rootfs"' EXIT

echo "build-base: debootstrap $suite from $mirror (minbase)"
debootstrap --variant=minbase --include=ca-certificates "$suite" "$rootfs" "$mirror" \
  >"$rootfs.log" 2>&1 || { tail -n 30 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
rm -f "$rootfs.log"

cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security_mirror $suite-security main
EOF
# As in Debian's own container images: no recommended packages, no apt caches.
cat >"$rootfs/etc/apt/apt.conf.d/90container" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
EOF
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/log/*.log \
       "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*
: >"$rootfs/etc/hostname"
: >"$rootfs/etc/resolv.conf"

echo "build-base: docker import as $image"
tar --numeric-owner -C "$rootfs" -c . \
  | docker import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["/bin/bash"]' \
      --message "debootstrap --variant=minbase $suite $mirror" \
      - "$image" >/dev/null
echo "build-base: $image ready"
