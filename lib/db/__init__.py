"""The only package that imports duckdb: connection, schema, migrations and the SQL of each concept."""
