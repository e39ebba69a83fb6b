#!/usr/bin/env bash
# Installs the Debian packages that the interop tests need to build real go-plugin peers (a Go plugin
# and host built with go-plugin 1.0.1, and a Python plugin). Needs root, or sudo without a password.
set -euo pipefail

packages=(golang-go golang-github-hashicorp-go-plugin-dev golang-google-grpc-dev golang-goprotobuf-dev
  protobuf-compiler python3-grpcio python3-protobuf python3-grpc-tools)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "install-test-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-test-deps: run as root: apt-get install -y ${missing[*]}" >&2
  echo "install-test-deps: without them the interop tests are skipped (and fail when CI=true)" >&2
  exit 0
fi

echo "install-test-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
