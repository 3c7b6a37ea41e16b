#!/usr/bin/env bash
# Builds the backend for production and installs it as Backstage's Dockerfile does, into
# $1/dist (default .services/prod-backend/dist): `yarn build:backend`, the skeleton (package.json
# files) and yarn.lock, `yarn workspaces focus --all --production`, then the bundle on top, and
# app-config.yaml + app-config.production.yaml. Run it with `node packages/backend` from there.
# The production node_modules is reused while skeleton and lockfile are unchanged.
# Used by scripts/prod-smoke.sh and scripts/fleet-test.sh. Logs go to $1/logs.
#   SKIP_BUILD=1   reuse packages/backend/dist from an earlier build
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

DIR="${1:-$REPO_ROOT/.services/prod-backend}"
DIST="$DIR/dist"
mkdir -p "$DIR/logs"
ensure_deps
if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f packages/backend/dist/bundle.tar.gz ]; then
  log "yarn build:backend (log $DIR/logs/build.log)"
  yarn build:backend >"$DIR/logs/build.log" 2>&1 || { tail -n 40 "$DIR/logs/build.log"; die "build failed"; }
fi

sum="$(cat packages/backend/dist/skeleton.tar.gz yarn.lock .yarnrc.yml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$DIST/.install-stamp" ] || [ "$(cat "$DIST/.install-stamp")" != "$sum" ]; then
  log "production install into $DIST (yarn workspaces focus --all --production; log $DIR/logs/install.log)"
  rm -rf "$DIST"
  mkdir -p "$DIST/.yarn"
  cp -r .yarn/releases "$DIST/.yarn/"
  cp .yarnrc.yml backstage.json yarn.lock package.json "$DIST/"
  tar xzf packages/backend/dist/skeleton.tar.gz -C "$DIST"
  (cd "$DIST" && YARN_ENABLE_IMMUTABLE_INSTALLS=false node .yarn/releases/yarn-4.13.0.cjs workspaces focus --all --production) \
    >"$DIR/logs/install.log" 2>&1 || { tail -n 40 "$DIR/logs/install.log"; die "production install failed"; }
  echo "$sum" >"$DIST/.install-stamp"
fi
log "unpacking the bundle into $DIST"
tar xzf packages/backend/dist/bundle.tar.gz -C "$DIST"
cp app-config.yaml app-config.production.yaml "$DIST/"
