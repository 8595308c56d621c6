"""Per-camera pipelines and the manager that runs them in isolation from each other."""
