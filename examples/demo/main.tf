# The demo's configuration: two recording callbacks on one ingest domain. The provider reads its
# endpoint and credentials from HW_LIVE_ENDPOINT, HW_PROJECT_ID, HW_ACCESS_KEY and HW_SECRET_KEY.
terraform {
  required_providers {
    live = {
      source  = "platform-tools/live"
      version = "~> 0.1"
    }
  }
}

provider "live" {}

variable "receiver_url" {
  description = "Where the live app's notifications go: the demo's receiver on loopback."
  type        = string
}

variable "callback_key" {
  description = "Key that signs the notifications of the live app."
  type        = string
  sensitive   = true
}

# Every app of the domain: notify when a recording file is complete.
resource "live_record_callback" "all_apps" {
  publish_domain      = "publish.example.com"
  notify_callback_url = "https://hooks.example.com/live/recordings"
}

# The "live" app is preferred over "*": every event, signed with MD5.
resource "live_record_callback" "live_app" {
  publish_domain      = "publish.example.com"
  app                 = "live"
  notify_callback_url = var.receiver_url
  notify_event_subscription = [
    "RECORD_NEW_FILE_START",
    "RECORD_FILE_COMPLETE",
    "RECORD_OVER",
    "RECORD_FAILED",
  ]
  sign_type = "MD5"
  key       = var.callback_key
}

output "callbacks" {
  description = "ID and creation time of each callback."
  value = {
    for name, cb in {
      all_apps = live_record_callback.all_apps
      live_app = live_record_callback.live_app
    } : name => { id = cb.id, create_time = cb.create_time }
  }
}
