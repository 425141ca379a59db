# Sourced by the scripts that run Terraform against the emulator (make demo, scripts/module-test.sh).

# use_emulator ENDPOINT DIR: points the provider at the emulator's default account (see
# internal/cmd/live-emulator) through the environment, and Terraform at the provider built into
# DIR/plugins, through dev_overrides in DIR/terraform.rc written by DIR/dev-overrides.
use_emulator() {
  # Settings of the caller's own account would mix with the emulator's.
  unset HW_REGION_NAME HW_SECURITY_TOKEN HW_IAM_ENDPOINT CLOUD_SDK_AK CLOUD_SDK_SK HW_INSECURE HW_MAX_RETRIES \
    HW_IDP_ID HUAWEICLOUD_SDK_IDP_ID HW_ID_TOKEN_FILE HUAWEICLOUD_SDK_ID_TOKEN_FILE \
    HW_ASSUME_ROLE_AGENCY_NAME HW_ASSUME_ROLE_DOMAIN_NAME HW_ASSUME_ROLE_DOMAIN_ID HW_ASSUME_ROLE_DURATION \
    HUAWEICLOUD_SDK_PROJECT_ID HUAWEICLOUD_SDK_AK HUAWEICLOUD_SDK_SK HUAWEICLOUD_SDK_SECURITY_TOKEN \
    HUAWEICLOUD_SDK_IAM_ENDPOINT HUAWEICLOUD_SDK_CREDENTIALS_FILE
  export HW_LIVE_ENDPOINT=$1
  export HW_PROJECT_ID=0123456789abcdef0123456789abcdef
  export HW_ACCESS_KEY=EMULATORACCESSKEY
  export HW_SECRET_KEY=EMULATORSECRETKEY0123456789abcdef
  export TF_CLI_CONFIG_FILE=$2/terraform.rc
  export CHECKPOINT_DISABLE=1
  export TF_IN_AUTOMATION=1
  "$2/dev-overrides" "$TF_CLI_CONFIG_FILE" "platform-tools/live=$2/plugins"
}
