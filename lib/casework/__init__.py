"""The work on a complaint: lifecycle actions, what the complaint page shows, queues and deadlines."""
