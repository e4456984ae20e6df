"""Analysis of development-zone plans (placeholder; filled in below)."""
