variable "domains" {
  description = "Ingest domains, each a map of app names (\"*\" for every other app) to the URL that receives its recording notifications and, optionally, its events."
  type = map(map(object({
    notify_callback_url = string
    events              = optional(set(string))
  })))
  nullable = false

  validation {
    condition     = length(var.domains) > 0 && alltrue([for apps in values(var.domains) : length(apps) > 0])
    error_message = "domains must name at least one ingest domain, and each domain at least one app."
  }

  validation {
    condition = alltrue(flatten([
      for apps in values(var.domains) : [
        for callback in values(apps) : can(regex("(?i)^https?://[a-z0-9.-]+(:[0-9]+)?(/[^?#\\s]*)?$", callback.notify_callback_url))
      ]
    ]))
    error_message = "Each notify_callback_url must be an absolute http:// or https:// URL with a host name (and an optional port), without user information, query parameters or fragment."
  }
}

variable "default_events" {
  description = "Events of the apps that list none."
  type        = set(string)
  default     = ["RECORD_FILE_COMPLETE", "RECORD_OVER", "RECORD_FAILED"]
  nullable    = false
}

variable "sign_type" {
  description = "How every notification is signed: HMACSHA256 (recommended) or MD5."
  type        = string
  default     = "HMACSHA256"
  nullable    = false

  validation {
    condition     = contains(["HMACSHA256", "MD5"], var.sign_type)
    error_message = "sign_type must be HMACSHA256 or MD5."
  }
}

variable "key" {
  description = "Key shared by every callback to sign its notifications: letters and digits, at least 32."
  type        = string
  sensitive   = true
  nullable    = false
}
