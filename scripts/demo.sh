#!/usr/bin/env bash
# make demo: build the provider, the emulator and a notification receiver, start them on free loopback
# ports, and run terraform apply on examples/demo, a recording whose signed notifications the receiver
# verifies, a second plan that must be empty, and destroy. Stops every server it started when it
# ends, however it ends (scripts/processes.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

terraform=${TERRAFORM:?TERRAFORM must point at the Terraform CLI}
demo=${DEMO_DIR:-$PWD/.tools/demo}
rm -rf "$demo"
mkdir -p "$demo/plugins" "$demo/work"

echo "==> Building the provider, the emulator and the receiver"
go build -o "$demo/plugins/terraform-provider-live" .
go build -o "$demo/live-emulator" ./internal/cmd/live-emulator
go build -o "$demo/live-receiver" ./internal/cmd/live-receiver
go build -o "$demo/dev-overrides" ./internal/cmd/dev-overrides
go build -o "$demo/provider-env" ./internal/cmd/provider-env

source scripts/processes.sh

export TF_VAR_callback_key=DemoCallbackKey0123456789abcdefXYZ

echo "==> Starting the emulator and a notification receiver on loopback"
start_server emulator "$demo" "$demo/live-emulator" --listen 127.0.0.1:0
endpoint=$started_url
echo "    emulator: $endpoint"
start_server receiver "$demo" env LIVE_RECEIVER_KEY="$TF_VAR_callback_key" "$demo/live-receiver" --listen 127.0.0.1:0 --sign-type MD5
receiver=$started_url
echo "    receiver: $receiver"
export TF_VAR_receiver_url=$receiver

source scripts/emulator-env.sh
use_emulator "$endpoint" "$demo"

cp examples/demo/main.tf "$demo/work/"
cd "$demo/work"

echo "==> terraform apply"
"$terraform" apply -auto-approve -input=false -no-color

echo "==> The callbacks"
"$terraform" output -no-color callbacks

echo "==> A recording of publish.example.com/live/demo: the emulator delivers the signed notifications"
"$demo/live-emulator" record --emulator "$endpoint" --domain publish.example.com --app live --stream demo --files 2
echo "    what the receiver verified:"
sed -n '2,$p' "$demo/receiver.out" | sed 's/^/    /'

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
