# The id is the configuration id or publish_domain/app.
import {
  to = live_record_callback.live_app
  id = "publish.example.com/live"
}
