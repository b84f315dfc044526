"""What every step shares: the records and their one Parquet schema, identity, errors as data,
and time."""
