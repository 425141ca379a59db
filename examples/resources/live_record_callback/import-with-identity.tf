# Terraform or OpenTofu 1.12 or later: the identity is the pair (project_id may be left out: the
# provider's project).
import {
  to = live_record_callback.all_apps
  identity = {
    publish_domain = "publish.example.com"
    app            = "*"
  }
}
