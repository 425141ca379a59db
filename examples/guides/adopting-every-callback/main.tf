# Every recording callback of the project, found by the data source, imported in one plan (Terraform
# or OpenTofu 1.7 or later: import blocks with for_each). Narrow the data source with publish_domain
# or app to adopt fewer.
data "live_record_callbacks" "existing" {}

locals {
  # One entry per configuration, by publish_domain/app, which is also its import id.
  existing = { for cb in data.live_record_callbacks.existing.callbacks : "${cb.publish_domain}/${cb.app}" => cb }
}

import {
  for_each = local.existing
  to       = live_record_callback.adopted[each.key]
  id       = each.value.id
}

# Each configuration as it is: the plan imports them all, and changes none.
resource "live_record_callback" "adopted" {
  for_each = local.existing

  publish_domain            = each.value.publish_domain
  app                       = each.value.app
  notify_callback_url       = each.value.notify_callback_url
  notify_event_subscription = each.value.notify_event_subscription
  sign_type                 = each.value.sign_type
}
