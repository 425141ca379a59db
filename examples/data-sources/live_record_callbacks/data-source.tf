# Every configuration of an ingest domain.
data "live_record_callbacks" "domain" {
  publish_domain = "publish.example.com"
}

# The configurations that apply to the "live" app: its own and the wildcard ("*") ones.
data "live_record_callbacks" "live_app" {
  publish_domain = "publish.example.com"
  app            = "live"
}

output "receivers" {
  value = { for cb in data.live_record_callbacks.domain.callbacks : "${cb.publish_domain}/${cb.app}" => cb.notify_callback_url }
}
