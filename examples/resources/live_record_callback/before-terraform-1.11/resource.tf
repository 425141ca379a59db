# Terraform and OpenTofu before 1.11 have no write-only attributes: key is kept in state,
# sensitive but in plain text, so protect the state.
variable "callback_key" {
  description = "Key that signs the notifications: letters and digits, at least 32."
  type        = string
  sensitive   = true
}

resource "live_record_callback" "live_app" {
  publish_domain      = "publish.example.com"
  app                 = "live"
  notify_callback_url = "https://hooks.example.com/live/recordings"
  sign_type           = "HMACSHA256"
  key                 = var.callback_key
}
