"""Events leaving the pipeline and the bus that fans them out."""
