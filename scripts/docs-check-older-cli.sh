#!/usr/bin/env bash
# scripts/docs-check-older-cli.sh TFPLUGINDOCS TERRAFORM: make docs-check where no Terraform 1.11 or
# newer is on PATH. Such a terraform reports no write-only attributes, so docs/ is generated with it
# in a copy of the repository and compared with docs/ once the write-only markers are removed from
# both: everything else must match.
set -euo pipefail
cd "$(dirname "$0")/.."

tfplugindocs=$1
terraform=$2
copy=$(mktemp -d)
trap 'rm -rf "$copy"' EXIT
tar --exclude=./.git --exclude=./.tools --exclude=./dist -cf - . | tar -xf - -C "$copy"
(cd "$copy" && PATH="$(dirname "$terraform"):$PATH" "$tfplugindocs" generate --provider-name live \
  --rendered-provider-name Live >/dev/null)

# The note tfplugindocs adds before a list with write-only arguments, and the marker of each one.
without_write_only() {
  sed -e '/^> \*\*NOTE\*\*: \[Write-only arguments\]/,/^$/d' -e 's/, \[Write-only\]([^)]*)//' "$1"
}
status=0
for generated in $(cd "$copy" && find docs -type f | sort); do
  if [ ! -f "$generated" ] || ! diff -u <(without_write_only "$generated") <(without_write_only "$copy/$generated"); then
    echo "docs/ is out of date: $generated" >&2
    status=1
  fi
done
for committed in $(find docs -type f | sort); do
  [ -f "$copy/$committed" ] || { echo "docs/ has $committed, which is no longer generated" >&2; status=1; }
done
if [ "$status" -ne 0 ]; then
  echo "run make docs (with Terraform 1.11 or newer first on PATH) and commit the result" >&2
fi
exit "$status"
