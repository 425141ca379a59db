# Look up a configuration by publish_domain and app ("*" is the wildcard configuration)...
data "live_record_callback" "live_app" {
  publish_domain = "publish.example.com"
  app            = "live"
}

# ...or by id.
data "live_record_callback" "by_id" {
  id = data.live_record_callback.live_app.id
}

output "live_app_receiver" {
  value = data.live_record_callback.live_app.notify_callback_url
}
