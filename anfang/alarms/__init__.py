"""Alarms: one alarm desk (every alarm in one queue, with a workflow) and the SIA DC-09 receiver."""
