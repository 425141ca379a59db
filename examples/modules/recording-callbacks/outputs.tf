output "ids" {
  description = "Configuration id of each callback, by \"domain/app\"."
  value       = { for pair, callback in live_record_callback.this : pair => callback.id }
}
