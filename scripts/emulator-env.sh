# Sourced by the scripts that run Terraform against the emulator (make demo, scripts/module-test.sh).

# use_emulator ENDPOINT DIR: points the provider at the emulator's default account through the
# environment, with every other setting of the provider's cleared (DIR/provider-env, built from
# internal/cmd/provider-env, prints both), and Terraform at the provider built into DIR/plugins,
# through dev_overrides in DIR/terraform.rc written by DIR/dev-overrides.
use_emulator() {
  local settings
  settings=$("$2/provider-env" --emulator "$1") || return 1
  eval "$settings"
  [ "$HW_LIVE_ENDPOINT" = "$1" ] || { echo "use_emulator: the provider is not pointed at the emulator" >&2; return 1; }
  export TF_CLI_CONFIG_FILE=$2/terraform.rc
  export CHECKPOINT_DISABLE=1
  export TF_IN_AUTOMATION=1
  "$2/dev-overrides" "$TF_CLI_CONFIG_FILE" "platform-tools/live=$2/plugins"
}
