locals {
  # One entry per (domain, app) pair, keyed "domain/app" as the provider's import ids are.
  callbacks = merge([
    for domain, apps in var.domains : {
      for app, callback in apps : "${domain}/${app}" => {
        publish_domain      = domain
        app                 = app
        notify_callback_url = callback.notify_callback_url
        # An app without events, or with an empty list, gets the default events.
        events = try(length(callback.events), 0) == 0 ? var.default_events : callback.events
      }
    }
  ]...)
}

resource "live_record_callback" "this" {
  for_each = local.callbacks

  publish_domain            = each.value.publish_domain
  app                       = each.value.app
  notify_callback_url       = each.value.notify_callback_url
  notify_event_subscription = each.value.events
  sign_type                 = var.sign_type
  key                       = var.key
}
