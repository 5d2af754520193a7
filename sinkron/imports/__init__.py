"""Spreadsheets in: read.py parses CSV/XLSX into rows and problems (pure, no
database); store.py writes accepted rows into a meeting as events."""
