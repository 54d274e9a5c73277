"""SQL of the tools: backup, benchmark, seed."""
