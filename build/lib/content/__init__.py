"""The content bank: YAML files, their schema, the loader and the checker."""
