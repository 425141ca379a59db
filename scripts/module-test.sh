#!/usr/bin/env bash
# scripts/module-test.sh CLI [MODULE_DIR]: runs `CLI test` (terraform or tofu, 1.6 or newer) on a
# module against the Live API emulator, started on a free loopback port and stopped at the end
# (scripts/processes.sh). The provider is the one built from this repository, through dev_overrides;
# it reads the emulator's endpoint and account from the environment, as the module's tests expect.
# MODULE_DIR defaults to examples/modules/recording-callbacks; it is tested in a copy, so that the
# run leaves nothing in the repository.
set -euo pipefail

cli=${1:?usage: scripts/module-test.sh CLI [MODULE_DIR]}
# Paths given are read from the caller's directory; a bare CLI name is looked up on PATH.
case $cli in */*) cli=$(cd "$(dirname "$cli")" && pwd)/$(basename "$cli") ;; esac
module=${2:+$(cd "$2" && pwd)}
cd "$(dirname "$0")/.."
module=${module:-$PWD/examples/modules/recording-callbacks}
cli_name=$(basename "$cli")
run=$PWD/.tools/module-test-$cli_name
rm -rf "$run"
mkdir -p "$run/plugins"

go build -o "$run/plugins/terraform-provider-live" .
go build -o "$run/live-emulator" ./internal/cmd/live-emulator
go build -o "$run/dev-overrides" ./internal/cmd/dev-overrides
go build -o "$run/provider-env" ./internal/cmd/provider-env
cp -R "$module" "$run/module"

source scripts/processes.sh

source scripts/emulator-env.sh

# The default account in two regions: the tests' providers find each region's project at IAM, as
# a module's providers do in the cloud.
start_server emulator "$run" "$run/live-emulator" --listen 127.0.0.1:0 --region cn-north-4+cn-east-3
use_emulator "$started_url" "$run"
unset HW_PROJECT_ID
export HW_REGION_NAME=cn-north-4 HW_IAM_ENDPOINT=$HW_LIVE_ENDPOINT

echo "==> $cli_name test of $module against the emulator at $HW_LIVE_ENDPOINT"
cd "$run/module"
# The tests' fixture modules are installed first (get: init would look for the provider, which
# dev_overrides gives).
"$cli" get -no-color >/dev/null
"$cli" test -no-color
