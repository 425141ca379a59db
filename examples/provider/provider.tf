# Credentials come from the environment, never from literals in the configuration:
#   export HW_ACCESS_KEY=... HW_SECRET_KEY=...   (or CLOUD_SDK_AK / CLOUD_SDK_SK)
#   (the region is set below; HW_PROJECT_ID, when unset, is discovered from IAM for it)
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

variable "callback_key" {
  description = "Signs the notifications: 32 or more letters and digits (TF_VAR_callback_key)."
  type        = string
  sensitive   = true
}

resource "live_record_callback" "recordings" {
  publish_domain      = "publish.example.com"
  app                 = "live"
  notify_callback_url = "https://hooks.example.com/live/recordings"
  key                 = var.callback_key # key_wo on Terraform and OpenTofu 1.11 and later: never stored
}
