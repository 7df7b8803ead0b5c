#!/usr/bin/env bash
# Installs the Debian packages dpsnap builds with, if any is missing.
# Idempotent: with everything present it changes nothing and needs no network.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libzstd-dev liblz4-dev libxxhash-dev
      libcmocka-dev libjansson-dev)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps: run as root (or install these packages): ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "deps: all present (${pkgs[*]})"
