"""Tools around the product: start-up, demo seed, benchmark, command line, backup."""
