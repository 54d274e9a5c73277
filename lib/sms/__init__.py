"""SMS to citizens: templates, the outbox dispatcher and the gateways."""
