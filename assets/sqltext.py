"""SQL text written by the code: literals and identifiers. Kept apart from the
declarations so that the light paths (a run with nothing new, the province's
merge) can quote without importing polars."""


def sql_literal(text: object) -> str:
    """`text` (a path too) as a SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"
