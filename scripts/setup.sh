#!/usr/bin/env bash
# Installs whatever is missing on a fresh Debian machine (run as root) and builds Moat.
# Idempotent: each step checks before it acts, so a second run takes seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
log() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages: NATS, ClamAV, Chromium (console tests), Postfix tools (smtp-source/sink), knot (DNS tests).
apt_pkgs=(nats-server clamav-daemon clamav chromium postfix knot knot-dnsutils swaks)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts the packaged daemons where it can; Moat runs its own instances on its own ports.
for svc in clamav-daemon clamav-freshclam postfix knot; do
  service "$svc" stop >/dev/null 2>&1 || true
done

# 2. Node 24 in a project-local prefix (the machine's Node may be older).
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ ! -x .tools/node/node_modules/.bin/node ] || [ "$(node_major .tools/node/node_modules/.bin/node)" -lt 24 ]; then
  log "installing Node 24 into .tools/node"
  npm i --prefix .tools/node --no-save --no-audit --no-fund node@24 >/dev/null
fi
export PATH="$root/.tools/node/node_modules/.bin:$root/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false

# 3. npm dependencies, reinstalled when the lockfile changed since the last install.
stamp=node_modules/.moat-lock-hash
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

# 4. Generated code, offline ClamAV signatures, build.
node scripts/gen-proto.mjs
node scripts/clamav-db.mjs
log "building"
nx run-many -t build --outputStyle=static >/dev/null || nx run-many -t build --outputStyle=static
log "ready"
