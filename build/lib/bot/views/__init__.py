"""Every text and keyboard people see (British English, HTML), one module per feature."""
