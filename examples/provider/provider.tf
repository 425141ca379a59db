# Credentials come from the environment, never from literals in the configuration:
#   export HW_ACCESS_KEY=... HW_SECRET_KEY=...   (or CLOUD_SDK_AK / CLOUD_SDK_SK)
#   export HW_REGION_NAME=cn-north-4            (HW_PROJECT_ID is discovered from IAM when unset)
terraform {
  required_providers {
    live = {
      source  = "platform-tools/live"
      version = "~> 0.1"
    }
  }
}

provider "live" {
  region = "cn-north-4"
}

resource "live_record_callback" "recordings" {
  publish_domain      = "publish.example.com"
  app                 = "live"
  notify_callback_url = "https://hooks.example.com/live/recordings"
}
