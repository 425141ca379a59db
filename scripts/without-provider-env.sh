#!/usr/bin/env bash
# Runs a command without any environment variable the provider reads (the one list is the
# provider's, printed by internal/cmd/provider-env), so that a developer's own credentials never
# reach a test:
#
#   scripts/without-provider-env.sh go test ./...
set -euo pipefail
names=$(cd "$(dirname "$0")/.." && go run ./internal/cmd/provider-env)
# shellcheck disable=SC2086 # one name per word
unset $names
exec "$@"
