# The module in two regions, as a platform team's root module uses it through a provider alias: the
# tests' fixture (tests/callbacks.tftest.hcl, run "creates_in_two_regions").
terraform {
  required_providers {
    live = {
      source                = "platform-tools/live"
      version               = "~> 0.1"
      configuration_aliases = [live.east]
    }
  }
}

variable "domains" {
  type = map(map(object({
    notify_callback_url = string
    events              = optional(set(string))
  })))
}

variable "key" {
  type      = string
  sensitive = true
}

module "north" {
  source  = "../.."
  domains = var.domains
  key     = var.key
}

module "east" {
  source    = "../.."
  providers = { live = live.east }
  domains   = var.domains
  key       = var.key
}

# What the east region's provider lists for the domains, once both regions are applied.
data "live_record_callbacks" "east" {
  for_each       = var.domains
  provider       = live.east
  publish_domain = each.key
  depends_on     = [module.north, module.east]
}

output "north_ids" {
  value = module.north.ids
}

output "east_ids" {
  value = module.east.ids
}

output "listed_in_east" {
  value = toset(flatten([for listed in data.live_record_callbacks.east : [for callback in listed.callbacks : callback.id]]))
}
