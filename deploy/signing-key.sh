#!/usr/bin/env bash
# The secrets of this installation, under deploy/.local/<TM_INSTANCE>/auth/ (mode 700, files mode 600):
#   signing-keys/       the identity provider's RSA signing keys (one PEM file each; the first is created by the
#                       identity service at its first start) and the key it encrypts codes and refresh tokens with
#   web-client-secret   the web app's client secret; cli-secret: the secret of the admin machine client talentmatch-cli
# deploy/up.sh sources this file. Run alone:
#   bash deploy/signing-key.sh list              the signing keys (kid, created, which one signs)
#   bash deploy/signing-key.sh rotate            adds a new signing key; restart identity (down.sh, up.sh) to sign with it
#   bash deploy/signing-key.sh retire <kid>      stops publishing an old key, once the tokens it signed have expired (15 min)
#   bash deploy/signing-key.sh secret web|cli    prints a client secret

# Prints the secret kept in $1, creating it (random, 48 bytes, base64url) if the file does not exist.
installation_secret() {
  local file=$1 secret
  if [[ ! -s $file ]]; then
    mkdir -p "$(dirname "$file")"
    chmod 700 "$(dirname "$file")"
    # umask in a subshell: the file is never readable by others, not even between its creation and a chmod.
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=' >"$file.tmp" && mv "$file.tmp" "$file")
  fi
  chmod 600 "$file"
  secret=$(<"$file")
  if ((${#secret} < 32)); then
    echo "signing-key.sh: $file holds no usable secret (fewer than 32 characters); remove it to create a new one" >&2
    return 1
  fi
  printf '%s\n' "$secret"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  root=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
  auth=$root/deploy/.local/${TM_INSTANCE:-dev}/auth
  case ${1:-list} in
    list | rotate | retire)
      identity=$root/services/identity/TalentMatch.Identity/bin/Release/net10.0/TalentMatch.Identity.dll
      [[ -f $identity ]] || dotnet build "$root/services/identity/TalentMatch.Identity" -c Release -nologo -v quiet -clp:ErrorsOnly
      mkdir -p "$auth/signing-keys" && chmod 700 "$auth" "$auth/signing-keys"
      exec dotnet "$identity" keys "$@" --dir "$auth/signing-keys"
      ;;
    secret)
      case ${2:-} in
        web) installation_secret "$auth/web-client-secret" ;;
        cli) installation_secret "$auth/cli-secret" ;;
        *) echo "usage: $0 secret web|cli" >&2; exit 64 ;;
      esac
      ;;
    *) sed -n '2,11p' "$0" >&2; exit 64 ;;
  esac
fi
