"""`make bench` (python -m bench): how Handover performs and what it costs, measured, not tested.

Part 1 cold starts (coldstart, child, anatomy, baseline/), part 2 AWS round trips (roundtrips,
calls), part 3 timing of existing versus unknown emails (timing), part 4 cost per monthly active
customer (cost, prices.toml); report prints the tables and the summary."""
