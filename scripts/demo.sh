#!/usr/bin/env bash
# make demo: build the provider and the emulator, start the emulator on a free loopback port, and run
# terraform apply, a second plan that must be empty, and destroy on examples/demo. Cleans up on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

terraform=${TERRAFORM:?TERRAFORM must point at the Terraform CLI}
demo=$PWD/.tools/demo
rm -rf "$demo"
mkdir -p "$demo/plugins" "$demo/work"

echo "==> Building the provider and the emulator"
go build -o "$demo/plugins/terraform-provider-live" .
go build -o "$demo/live-emulator" ./internal/cmd/live-emulator

echo "==> Starting the emulator on loopback"
"$demo/live-emulator" --listen 127.0.0.1:0 >"$demo/emulator.out" 2>"$demo/emulator.err" &
emulator_pid=$!
cleanup() {
  kill "$emulator_pid" 2>/dev/null || true
  wait "$emulator_pid" 2>/dev/null || true
}
trap cleanup EXIT

endpoint=
for _ in $(seq 100); do
  endpoint=$(head -n 1 "$demo/emulator.out" 2>/dev/null || true)
  [ -n "$endpoint" ] && break
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$demo/emulator.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { echo "the emulator printed no URL" >&2; exit 1; }
echo "    $endpoint"

# The emulator's default account (see internal/cmd/live-emulator).
export HW_LIVE_ENDPOINT=$endpoint
export HW_PROJECT_ID=0123456789abcdef0123456789abcdef
export HW_ACCESS_KEY=EMULATORACCESSKEY
export HW_SECRET_KEY=EMULATORSECRETKEY0123456789abcdef
export TF_VAR_callback_key=DemoCallbackKey0123456789abcdefXYZ
export TF_CLI_CONFIG_FILE=$demo/terraform.tfrc
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
cat >"$TF_CLI_CONFIG_FILE" <<RC
provider_installation {
  dev_overrides {
    "platform-tools/live" = "$demo/plugins"
  }
  direct {}
}
RC

cp examples/demo/main.tf "$demo/work/"
cd "$demo/work"

echo "==> terraform apply"
"$terraform" apply -auto-approve -input=false -no-color

echo "==> The callbacks"
"$terraform" output -no-color callbacks

echo "==> A second plan has no changes"
set +e
"$terraform" plan -detailed-exitcode -input=false -no-color
plan_status=$?
set -e
if [ "$plan_status" -ne 0 ]; then
  echo "the second plan is not empty (exit code $plan_status)" >&2
  exit 1
fi

echo "==> terraform destroy"
"$terraform" destroy -auto-approve -input=false -no-color
echo "==> Demo finished"
