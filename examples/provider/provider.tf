# Credentials come from the environment, never from literals in the configuration:
#   export HW_ACCESS_KEY=... HW_SECRET_KEY=...   (or CLOUD_SDK_AK / CLOUD_SDK_SK)
#   export HW_REGION_NAME=cn-north-4            (HW_PROJECT_ID is discovered from IAM when unset)
terraform {
  required_providers {
    live = {
      source = "platform-tools/live"
    }
  }
}

provider "live" {
  region = "cn-north-4"
}
