# By the configuration id that the API returns:
terraform import live_record_callback.live_app 6a0e3b1c9d2f4e5a8b7c6d5e4f3a2b1c

# Or by publish_domain/app ("*" for the configuration of every app):
terraform import live_record_callback.live_app publish.example.com/live
