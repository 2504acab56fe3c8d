#!/usr/bin/env bash
# The token signing key of this installation: created once (random, 48 bytes base64), kept in a file only its owner
# can read (mode 600), and reused on every later start, so tokens survive restarts and nobody else can mint them.
# deploy/up.sh sources this file; run alone it prints the key:   bash deploy/signing-key.sh [file]
# (default file: deploy/.local/<TM_INSTANCE>/auth/signing-key).

# Prints the key kept in $1, creating the file first if it does not exist.
installation_signing_key() {
  local file=$1 key
  if [[ ! -s $file ]]; then
    mkdir -p "$(dirname "$file")"
    chmod 700 "$(dirname "$file")"
    # umask in a subshell: the file is never readable by others, not even between its creation and a chmod.
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$file.tmp" && mv "$file.tmp" "$file")
  fi
  chmod 600 "$file"
  key=$(<"$file")
  if ((${#key} < 32)); then
    echo "signing-key.sh: $file holds no usable key (fewer than 32 characters); remove it to create a new one" >&2
    return 1
  fi
  printf '%s\n' "$key"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
  installation_signing_key "${1:-$root/deploy/.local/${TM_INSTANCE:-dev}/auth/signing-key}"
fi
