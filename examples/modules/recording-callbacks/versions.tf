terraform {
  required_version = ">= 1.5.0"

  required_providers {
    live = {
      source  = "platform-tools/live"
      version = "~> 0.1"
    }
  }
}
