"""The marts: per mart, its SQL (`<name>.sql`) and its declaration (`<name>.py`,
`MART = Mart(...)`), loaded as pairs by assets.models."""
