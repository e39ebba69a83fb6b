#!/usr/bin/env bash
# Builds the go-plugin peers that interop-tests and benchmarks run against, offline, from Debian
# packages only:
#   OUTDIR/go-calculator-plugin      calculator plugin on go-plugin 1.0.1
#   OUTDIR/go-host                   go-plugin 1.0.1 host (modes smoke, start-bench, latency, throughput)
#   OUTDIR/python-calculator-plugin  launcher of the Python calculator plugin (stubs in OUTDIR/python)
#
# Usage: scripts/build-peers.sh OUTDIR
#
# Generated code goes to OUTDIR only. A second run with unchanged inputs returns at once. Exit
# status 3 means a build tool is missing; the message names the Debian packages to install.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1"
out_dir=$(cd "$1" && pwd)

peers_dir="$repo_root/interop-tests/peers"
calculator_proto_dir="$repo_root/calculator-api/src/main/proto"
plugin_proto_dir="$repo_root/plugin-protocol/src/main/proto"
debian_gopath=/usr/share/gocode
python=/usr/bin/python3

log() {
  echo "build-peers: $*" >&2
}

# Lists every missing tool with its Debian package, then exits 3.
check_tools() {
  local missing=() packages=()
  need() {
    missing+=("$1")
    packages+=("$2")
  }

  command -v go >/dev/null || need "go" golang-go
  command -v protoc >/dev/null || need "protoc" protobuf-compiler
  command -v protoc-gen-go >/dev/null || need "protoc-gen-go" golang-goprotobuf-dev
  [[ -d $debian_gopath/src/github.com/golang/protobuf/proto ]] || need "Go package github.com/golang/protobuf" golang-goprotobuf-dev
  [[ -d $debian_gopath/src/github.com/hashicorp/go-plugin ]] || need "Go package github.com/hashicorp/go-plugin" golang-github-hashicorp-go-plugin-dev
  [[ -d $debian_gopath/src/google.golang.org/grpc ]] || need "Go package google.golang.org/grpc" golang-google-grpc-dev
  if [[ -x $python ]]; then
    "$python" -c 'import grpc' 2>/dev/null || need "Python module grpc" python3-grpcio
    "$python" -c 'import google.protobuf' 2>/dev/null || need "Python module google.protobuf" python3-protobuf
    "$python" -c 'import grpc_tools.protoc' 2>/dev/null || need "Python module grpc_tools" python3-grpc-tools
    "$python" -c 'import cryptography' 2>/dev/null || need "Python module cryptography (AutoMTLS)" python3-cryptography
  else
    need "$python" python3
  fi

  if [[ ${#missing[@]} -gt 0 ]]; then
    local unique_packages
    unique_packages=$(printf '%s\n' "${packages[@]}" | sort -u | tr '\n' ' ')
    log "missing build tools: $(printf '%s, ' "${missing[@]}" | sed 's/, $//')"
    log "install the Debian packages with: sudo apt-get install -y ${unique_packages% }"
    exit 3
  fi
}

# Prints a hash of every input, so that an unchanged tree skips the build.
input_fingerprint() {
  {
    go version
    protoc --version
    "$python" --version
    sha256sum "${BASH_SOURCE[0]}"
    find "$peers_dir" "$calculator_proto_dir" "$plugin_proto_dir" -type f \
      \( -name '*.go' -o -name '*.proto' -o -name '*.py' \) -print0 | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -d' ' -f1
}

build_go() {
  local gen_gopath="$out_dir/gopath"
  local gen_dir="$gen_gopath/src/dev.pluginclient/interop/gen"
  rm -rf "$gen_dir"
  mkdir -p "$gen_dir"
  # go_package "calculatorv1" has no import path, so protoc-gen-go 1.3 writes calculator/v1/calculator.pb.go.
  protoc -I "$calculator_proto_dir" --go_out="plugins=grpc:$gen_dir" calculator/v1/calculator.proto

  # Debian's Go libraries form a GOPATH tree, so the build runs in GOPATH mode without a module proxy.
  local command
  for command in go-calculator-plugin go-host; do
    GO111MODULE=off GOPATH="$gen_gopath:$peers_dir/go:$debian_gopath" GOPROXY=off GOFLAGS= \
      GOCACHE="$out_dir/gocache" CGO_ENABLED=0 \
      go build -o "$out_dir/$command.tmp" "dev.pluginclient/interop/cmd/$command"
    mv -f "$out_dir/$command.tmp" "$out_dir/$command"
  done
}

build_python() {
  local python_dir="$out_dir/python"
  local proto_staging="$out_dir/python-protos"
  rm -rf "$python_dir" "$proto_staging"
  mkdir -p "$python_dir" "$proto_staging/plugin"

  # go-plugin's own services come from plugin-protocol, copied so that one definition stays in the repo.
  cp "$plugin_proto_dir/plugin/grpc_broker.proto" "$plugin_proto_dir/plugin/grpc_controller.proto" \
    "$proto_staging/plugin/"
  "$python" -m grpc_tools.protoc -I "$calculator_proto_dir" -I "$proto_staging" -I "$peers_dir/python/proto" \
    --python_out="$python_dir" --grpc_python_out="$python_dir" \
    calculator/v1/calculator.proto plugin/grpc_broker.proto plugin/grpc_controller.proto \
    grpc_health/v1/health.proto
  cp "$peers_dir/python/calculator_plugin.py" "$python_dir/"

  local launcher="$out_dir/python-calculator-plugin"
  cat >"$launcher.tmp" <<LAUNCHER
#!/bin/sh
# Written by scripts/build-peers.sh. Runs Debian's Python, which has the grpc module, and ignores
# PYTHON* variables (-E) and the user's site-packages (-s) that could bring in another grpc.
exec $python -E -s '$python_dir/calculator_plugin.py' "\$@"
LAUNCHER
  chmod +x "$launcher.tmp"
  mv -f "$launcher.tmp" "$launcher"
}

check_tools

# Runs from two JVMs at once must not interleave in OUTDIR.
exec 9>"$out_dir/.lock"
flock 9

fingerprint=$(input_fingerprint)
stamp="$out_dir/.fingerprint"
if [[ -f $stamp && $(cat "$stamp") == "$fingerprint" && -x $out_dir/go-calculator-plugin \
      && -x $out_dir/go-host && -x $out_dir/python-calculator-plugin ]]; then
  log "peers in $out_dir are up to date"
  exit 0
fi

rm -f "$stamp"
started=$(date +%s)
build_go
build_python
echo "$fingerprint" >"$stamp"
log "built peers in $out_dir in $(($(date +%s) - started)) s"
