#!/usr/bin/env bash
# Container tier set-up: a podman that can build and run a generated service's Dockerfile on a
# machine with no Docker engine and no reachable container registry (Debian 12 host, root).
#
#   tests/container/setup.sh IMAGE...     e.g. docker.io/library/python:3.13-slim-bookworm
#
# Prints, as its last line, the command to run podman with (a wrapper under $CACHE/bin). When
# the host already has docker or podman that reaches a registry, it prints that and does nothing
# else: users build with those, and so do the tests.
#
# Otherwise (this machine, CI), under $PLINTH_CONTAINER_CACHE (default /var/cache/plinth-container),
# reused by every later run:
#   - podman 5 / buildah from Debian 13 (trixie), debootstrapped into tools/, run in a private
#     mount namespace that is pivot_root'ed into it (a chroot sends `podman exec` and so
#     `podman healthcheck run` into the host's root), with this host's hybrid cgroup2 mount
#     hidden in that namespace only (crun refuses hybrid cgroups);
#   - LOCAL STAND-INS for the base images, under the exact names the Dockerfile uses, because no
#     registry is reachable: python:X.Y-slim-bookworm is Debian 12 minbase plus pyenv's CPython
#     X.Y in /usr/local (with the host's CA bundle and SSL_CERT_FILE, for the TLS-inspecting
#     egress), and ghcr.io/astral-sh/uv:X.Y is /uv and /uvx from PyPI's uv wheel. They carry the
#     label plinth.stand-in=true. They are not the official images: say so where results are read.
# Traffic: deb.debian.org and PyPI only. Nothing is written outside $CACHE except apt's install
# of debootstrap. Exit status non-zero, with the reason on stderr, when a step fails.
set -euo pipefail

C=${PLINTH_CONTAINER_CACHE:-/var/cache/plinth-container}
MIRROR=${PLINTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
T=$C/tools
say() { echo "container setup: $*" >&2; }
fail() { echo "container setup FAILED: $*" >&2; exit 1; }

# --- 1. an engine the host already has, reaching a registry: use it as users do
if [ "${PLINTH_CONTAINER_STANDIN:-0}" != 1 ]; then
  for engine in docker podman; do
    if command -v "$engine" >/dev/null 2>&1 && timeout 60 "$engine" pull -q docker.io/library/busybox:latest >/dev/null 2>&1; then
      say "using the host's $engine (a registry is reachable)"
      echo "$engine"
      exit 0
    fi
  done
fi

[ "$(id -u)" = 0 ] || fail "building the stand-in tools needs root (debootstrap, mount namespaces)"
mkdir -p "$C"/{bin,etc,storage,tmp,logs,rootfs,wheels}
exec 9>"$C/setup.lock"
flock 9   # one set-up at a time (pytest-xdist workers, two checkouts on one machine)

# --- 2. podman 5 / buildah / crun from Debian 13
command -v debootstrap >/dev/null || {
  say "installing debootstrap"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
} || fail "cannot install debootstrap from Debian's archive"
if [ ! -x "$T/usr/bin/podman" ]; then
  say "debootstrap trixie with podman into $T (one-off, about a minute)"
  rm -rf "$T"
  debootstrap --variant=minbase \
    --include=podman,buildah,crun,fuse-overlayfs,netavark,aardvark-dns,catatonit,conmon,ca-certificates,iptables,nftables,passt \
    trixie "$T" "$MIRROR" > "$C/logs/debootstrap-trixie.log" 2>&1 \
    || { tail -5 "$C/logs/debootstrap-trixie.log" >&2; rm -rf "$T"; fail "debootstrap trixie"; }
fi

cat > "$C/etc/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "$C/storage"
CONF
cat > "$C/etc/containers.conf" <<'CONF'
[engine]
# no systemd here: cgroupfs, file events; healthchecks are run with `podman healthcheck run`
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "crun"
CONF
cat > "$C/etc/registries.conf" <<'CONF'
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"
CONF

# tools-up: the long-lived private mount namespace whose root is $T (pivot_root, not chroot)
cat > "$C/bin/tools-up" <<UP
#!/bin/sh
set -e
C=$C; T=$T
# up already: the recorded process is alive and still the namespace's sleep (not a reused pid)
if [ -s \$C/tools.pid ] && [ "\$(cat /proc/\$(cat \$C/tools.pid)/comm 2>/dev/null)" = sleep ]; then exit 0; fi
mkdir -p \$T\$C \$T/.old_root
unshare --mount --propagation private -- /bin/sh -c '
  set -e
  T='"\$T"'; C='"\$C"'
  mount --bind \$T \$T
  mount -t proc proc \$T/proc
  mount --rbind /sys \$T/sys
  if mountpoint -q \$T/sys/fs/cgroup/unified; then umount \$T/sys/fs/cgroup/unified; fi
  mount --rbind /dev \$T/dev
  mount -t tmpfs -o mode=755 tmpfs \$T/run
  mount --bind \$C \$T\$C
  cd \$T && pivot_root . .old_root && umount -l /.old_root && cd /
  exec sleep infinity
' </dev/null >/dev/null 2>&1 9>&- &
echo \$! > \$C/tools.pid
sleep 1
kill -0 "\$(cat \$C/tools.pid)"
UP
cat > "$C/bin/tools-down" <<DOWN
#!/bin/sh
# ends the tools namespace; remove every container first (their conmon processes live in it)
C=$C
if [ -s \$C/tools.pid ]; then kill "\$(cat \$C/tools.pid)" 2>/dev/null || true; rm -f \$C/tools.pid; fi
DOWN
# podman (or CMD=buildah) inside the namespace; the build contexts the tests pass live under
# $C/tmp, which is visible at the same path inside.
cat > "$C/bin/podman" <<WRAP
#!/bin/sh
"$C/bin/tools-up" || exit 125
exec nsenter --target "\$(cat $C/tools.pid)" --mount -- /usr/bin/env -i \\
  CONTAINERS_STORAGE_CONF=$C/etc/storage.conf \\
  CONTAINERS_CONF=$C/etc/containers.conf \\
  CONTAINERS_REGISTRIES_CONF=$C/etc/registries.conf \\
  TMPDIR=$C/tmp \\
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
  HOME=/root PODMAN_IGNORE_CGROUPSV1_WARNING=1 \\
  "\${CMD:-podman}" "\$@"
WRAP
chmod +x "$C/bin/tools-up" "$C/bin/tools-down" "$C/bin/podman"
P=$C/bin/podman
$P --version >/dev/null 2>"$C/logs/podman-version.log" || { cat "$C/logs/podman-version.log" >&2; fail "podman does not run in the tools namespace"; }

# docker compose (Debian 13's Go binary; it runs on this host too), for `docker compose config`
# on generated compose files. Optional: a failure here only leaves that check without a tool.
if [ ! -x "$T/usr/libexec/docker/cli-plugins/docker-compose" ]; then
  chroot "$T" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose' \
    > "$C/logs/apt-docker-compose.log" 2>&1 || say "docker-compose not installed (see $C/logs/apt-docker-compose.log)"
fi
[ -x "$T/usr/libexec/docker/cli-plugins/docker-compose" ] && ln -sf "$T/usr/libexec/docker/cli-plugins/docker-compose" "$C/bin/docker-compose"

have() { $P image exists "$1" 2>/dev/null; }

# --- 3. stand-in base images
standin_python() {  # docker.io/library/python:X.Y-slim-bookworm
  local image=$1 version=$2 base=$C/rootfs/bookworm py=$C/rootfs/python$2
  local prefix
  prefix=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$version".* 2>/dev/null | sort -V | tail -n1)
  [ -n "$prefix" ] && [ -x "$prefix/bin/python$version" ] \
    || fail "no CPython $version to put in the $image stand-in (pyenv install $version)"
  if [ ! -x "$base/bin/sh" ]; then
    say "debootstrap bookworm minbase into $base (one-off)"
    rm -rf "$base"
    debootstrap --variant=minbase \
      --include=ca-certificates,netbase,tzdata,libssl3,libsqlite3-0,libffi8,libbz2-1.0,liblzma5,libncursesw6,libreadline8,libtinfo6,zlib1g,libexpat1,libuuid1 \
      bookworm "$base" "$MIRROR" > "$C/logs/debootstrap-bookworm.log" 2>&1 \
      || { tail -5 "$C/logs/debootstrap-bookworm.log" >&2; rm -rf "$base"; fail "debootstrap bookworm"; }
    rm -rf "$base"/var/cache/apt/archives/*.deb "$base"/var/lib/apt/lists/* "$base"/usr/share/{doc,man,info,locale}/*
    rm -f "$base/etc/resolv.conf" "$base/etc/hostname"
  fi
  say "stand-in $image from $prefix"
  rm -rf "$py" && cp -a "$base" "$py"
  cp -a "$prefix/." "$py/usr/local/"
  # trimmed like the official image: no tests, caches, static library, Tk or IDLE
  find "$py/usr/local" -depth \( \( -type d -a \( -name test -o -name tests -o -name idle_test -o -name __pycache__ \) \) \
       -o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \) -exec rm -rf '{}' +
  rm -rf "$py/usr/local/lib/python$version"/{tkinter,idlelib,turtledemo} "$py/usr/local/lib/python$version"/lib-dynload/_tkinter*.so "$py"/usr/local/bin/idle*
  find "$py/usr/local" -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} + 2>/dev/null || true
  strip --strip-unneeded "$py/usr/local/bin/python$version" 2>/dev/null || true
  for f in "$py"/usr/local/bin/*; do
    [ -f "$f" ] && [ ! -L "$f" ] && sed -i "1s|^#!$prefix/bin/|#!/usr/local/bin/|" "$f"
  done
  cp /usr/local/share/ca-certificates/*.crt "$py/usr/local/share/ca-certificates/" 2>/dev/null || true
  chroot "$py" /usr/sbin/update-ca-certificates --fresh >/dev/null 2>&1
  chroot "$py" /sbin/ldconfig
  chroot "$py" /usr/local/bin/python3 -c 'import ssl, sqlite3, ctypes, lzma, bz2, uuid' \
    || fail "the $image stand-in is missing a library"
  tar -C "$py" --numeric-owner -c . | $P import -q \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "ENV PYTHON_VERSION=$("$prefix/bin/python$version" -c 'import platform; print(platform.python_version())')" \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'LABEL plinth.stand-in=true' \
    --change 'CMD ["python3"]' \
    - "$image" >/dev/null || fail "podman import $image"
  rm -rf "$py"
}

standin_uv() {  # ghcr.io/astral-sh/uv:X.Y
  local image=$1 version=$2 dir=$C/tmp/uvimg
  ls "$C"/wheels/uv-"$version".*-manylinux*.whl >/dev/null 2>&1 || \
    python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
      --python-version 3.13 -d "$C/wheels" "uv>=$version,<$version.9999" >/dev/null \
    || fail "cannot download the uv $version wheel from PyPI"
  say "stand-in $image from $(ls "$C"/wheels/uv-"$version".*-manylinux*.whl | sort -V | tail -n1 | xargs basename)"
  rm -rf "$dir" && mkdir -p "$dir"
  python3 - "$C" "$version" "$dir" <<'PY'
import glob, os, sys, zipfile
c, version, out = sys.argv[1:]
wheel = sorted(glob.glob(f"{c}/wheels/uv-{version}.*-manylinux*.whl"))[-1]
with zipfile.ZipFile(wheel) as z:
    for n in z.namelist():
        if ".data/scripts/" in n:
            dest = os.path.join(out, os.path.basename(n))
            with open(dest, "wb") as f:
                f.write(z.read(n))
            os.chmod(dest, 0o755)
PY
  local ctr
  ctr=$(CMD=buildah $P from scratch)
  CMD=buildah $P copy -q "$ctr" "$dir/uv" "$dir/uvx" / >/dev/null
  CMD=buildah $P config --entrypoint '["/uv"]' --label plinth.stand-in=true "$ctr"
  CMD=buildah $P commit -q "$ctr" "$image" >/dev/null || fail "buildah commit $image"
  CMD=buildah $P rm "$ctr" >/dev/null
  rm -rf "$dir"
}

for image in "$@"; do
  have "$image" && continue
  case $image in
    docker.io/library/python:*-slim-bookworm)
      v=${image#docker.io/library/python:}; standin_python "$image" "${v%-slim-bookworm}" ;;
    ghcr.io/astral-sh/uv:*)
      standin_uv "$image" "${image#ghcr.io/astral-sh/uv:}" ;;
    *) fail "no stand-in recipe for $image (no registry is reachable to pull it)" ;;
  esac
done
say "podman $($P --version | awk '{print $3}') from Debian 13 in a private mount namespace; STAND-IN base images (no registry reachable): $*"
echo "$P"
