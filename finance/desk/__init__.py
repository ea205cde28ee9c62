"""The review desk: cases on state machines, coded reasons, immutable decisions, four eyes, queues, SLA clocks."""
