# Terraform 1.11 or later: the key comes from an ephemeral variable and is sent as key_wo, so it is
# never stored in the plan or state.
variable "callback_key" {
  description = "Key that signs the notifications: letters and digits, at least 32."
  type        = string
  sensitive   = true
  ephemeral   = true
}

# Every event of the "live" app of an ingest domain, signed with HMAC-SHA256.
resource "live_record_callback" "live_app" {
  publish_domain      = "publish.example.com"
  app                 = "live"
  notify_callback_url = "https://hooks.example.com/live/recordings"
  notify_event_subscription = [
    "RECORD_NEW_FILE_START",
    "RECORD_FILE_COMPLETE",
    "RECORD_OVER",
    "RECORD_FAILED",
  ]
  sign_type      = "HMACSHA256"
  key_wo         = var.callback_key
  key_wo_version = 1 # change it with each new key: that is what sends it

  timeouts = {
    create = "2m"
  }
}

# Every other app of the domain ("*", the default): completed files only.
resource "live_record_callback" "all_apps" {
  publish_domain      = "publish.example.com"
  notify_callback_url = "https://hooks.example.com/live/recordings"
}
