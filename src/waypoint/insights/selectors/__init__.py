"""The reads of insights shared by its pages, its API and its exports: one module per area."""
