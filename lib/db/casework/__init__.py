"""SQL of the casework area: cases, queues, deadlines."""
