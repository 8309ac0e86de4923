#!/usr/bin/env bash
# Make sure an nginx binary is there for tests/test_slow_clients.py, which runs the rendered
# deploy/compose/nginx.conf in front of a booted service (the nginx image cannot be pulled without
# a registry). A missing one is installed from Debian's packages when we are root, without
# starting Debian's own nginx service (the test runs nginx itself, on loopback ports it picks).
# Exit status: 0 when nginx is there, 1 otherwise (the reason is printed).
set -u

found() { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }

if found; then echo "nginx: $( (nginx -v || /usr/sbin/nginx -v) 2>&1)"; exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "nginx: missing, and not root to install it"; exit 1; fi

# Debian starts a service it installs unless policy-rc.d forbids it (exit 101); a policy that is
# already there is left as it is.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && own_policy=1
fi
apt-get update -qq >/dev/null 2>&1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null 2>&1
status=$?
[ $own_policy = 1 ] && rm -f "$policy"

if [ $status = 0 ] && found; then echo "nginx: installed, $( (nginx -v || /usr/sbin/nginx -v) 2>&1)"; exit 0; fi
echo "nginx: NOT available (apt-get install nginx exited $status)"
exit 1
