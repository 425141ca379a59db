# Runs against the Live API emulator: the provider reads it from the environment that
# scripts/module-test.sh sets (HW_LIVE_ENDPOINT and the emulator's account), like any endpoint.
provider "live" {}

# The same account's project in another region, found at IAM as the default provider's is.
provider "live" {
  alias  = "east"
  region = "cn-east-3"
}

variables {
  domains = {
    "publish.example.com" = {
      live  = { notify_callback_url = "https://hooks.example.com/live" }
      vod   = { notify_callback_url = "https://hooks.example.com/vod", events = ["RECORD_OVER"] }
      clips = { notify_callback_url = "https://hooks.example.com/clips", events = [] }
    }
    "push.example.com" = {
      "*" = { notify_callback_url = "http://hooks.example.com/all" }
    }
  }
  key = "ModuleTestKey0123456789abcdefghijXYZ"
}

run "plans_one_callback_per_pair" {
  command = plan

  assert {
    condition     = toset(keys(live_record_callback.this)) == toset(["publish.example.com/live", "publish.example.com/vod", "publish.example.com/clips", "push.example.com/*"])
    error_message = "One callback per (domain, app) pair, keyed domain/app."
  }

  assert {
    condition     = live_record_callback.this["publish.example.com/vod"].notify_event_subscription == toset(["RECORD_OVER"])
    error_message = "An app's own events replace the default events."
  }

  assert {
    condition = alltrue([for pair in ["publish.example.com/live", "publish.example.com/clips"] :
    live_record_callback.this[pair].notify_event_subscription == toset(["RECORD_FILE_COMPLETE", "RECORD_OVER", "RECORD_FAILED"])])
    error_message = "An app without events, or with an empty list, gets the default events."
  }
}

run "creates_the_callbacks" {
  assert {
    condition     = toset(keys(output.ids)) == toset(["publish.example.com/live", "publish.example.com/vod", "publish.example.com/clips", "push.example.com/*"])
    error_message = "The ids output has one entry per pair, keyed domain/app."
  }

  assert {
    condition     = alltrue([for pair, id in output.ids : length(id) > 0 && id == live_record_callback.this[pair].id])
    error_message = "Each entry of the ids output is the configuration id that the API gave its pair."
  }

  assert {
    condition     = live_record_callback.this["push.example.com/*"].app == "*" && alltrue([for callback in live_record_callback.this : callback.sign_type == "HMACSHA256"])
    error_message = "The wildcard app and the default sign type reach the API."
  }

  assert {
    condition     = live_record_callback.this["publish.example.com/vod"].notify_event_subscription == toset(["RECORD_OVER"])
    error_message = "The API holds an app's own events."
  }

  assert {
    condition     = alltrue([for callback in live_record_callback.this : nonsensitive(callback.key == var.key)])
    error_message = "Every callback is signed with the module's key."
  }

  assert {
    condition     = can(regex("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", live_record_callback.this["publish.example.com/live"].create_time))
    error_message = "The API's create_time is in state."
  }
}

run "changes_a_url_in_place" {
  variables {
    # The ids of the run that created the callbacks (a test variable, not the module's).
    ids_before = run.creates_the_callbacks.ids
    domains = {
      "publish.example.com" = {
        live  = { notify_callback_url = "https://hooks.example.com/live/v2" }
        vod   = { notify_callback_url = "https://hooks.example.com/vod", events = ["RECORD_OVER"] }
        clips = { notify_callback_url = "https://hooks.example.com/clips", events = [] }
      }
      "push.example.com" = {
        "*" = { notify_callback_url = "http://hooks.example.com/all" }
      }
    }
  }

  assert {
    condition     = output.ids == var.ids_before
    error_message = "A new URL updates the callback in place: the ids stay the same."
  }

  assert {
    condition     = live_record_callback.this["publish.example.com/live"].notify_callback_url == "https://hooks.example.com/live/v2"
    error_message = "The new URL is applied."
  }
}

run "applies_the_sign_type_in_place" {
  variables {
    ids_before = run.changes_a_url_in_place.ids # OpenTofu 1.6 resolves the run just before
    sign_type  = "MD5"
  }

  assert {
    condition     = alltrue([for callback in live_record_callback.this : callback.sign_type == "MD5"])
    error_message = "The module's sign_type reaches every callback."
  }

  assert {
    condition     = output.ids == var.ids_before
    error_message = "A new sign type updates the callbacks in place."
  }
}

run "refuses_a_url_that_is_not_http" {
  command = plan

  variables {
    domains = {
      "publish.example.com" = {
        live = { notify_callback_url = "ftp://hooks.example.com/live" }
      }
    }
  }

  expect_failures = [var.domains]
}

run "refuses_a_url_with_user_information" {
  command = plan

  variables {
    domains = {
      "publish.example.com" = {
        live = { notify_callback_url = "https://user@hooks.example.com/live" }
      }
    }
  }

  expect_failures = [var.domains]
}

run "refuses_an_empty_map" {
  command = plan

  variables {
    domains = {}
  }

  expect_failures = [var.domains]
}

run "creates_in_two_regions" {
  # The module twice, through a provider alias (tests/two-regions): each region has its own
  # configurations, so the same pairs are created in both.
  module {
    source = "./tests/two-regions"
  }

  providers = {
    live      = live
    live.east = live.east
  }

  variables {
    domains = {
      "regions.example.com" = {
        live = { notify_callback_url = "https://hooks.example.com/live" }
        "*"  = { notify_callback_url = "https://hooks.example.com/all" }
      }
    }
  }

  assert {
    condition     = keys(output.north_ids) == keys(output.east_ids) && length(setintersection(values(output.north_ids), values(output.east_ids))) == 0
    error_message = "Each region has its own configuration of every pair."
  }

  assert {
    condition     = output.listed_in_east == toset(values(output.east_ids))
    error_message = "The east region lists its own configurations, and not the other region's."
  }
}
