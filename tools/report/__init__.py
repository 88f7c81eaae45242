"""`make report`: the quality report (reports/report.md and reports/report.html, German, for editors).

- `evaluation`: what each pipeline did with each held-out message, and the sums (pure)
- `tables`: German numbers, the report's tables, the document model (Markdown, self-contained HTML)
- `document`: the report's sections, built from the measured data (pure)
- `keyword_baseline`: the plain keyword classifier the report compares against
- `texts.yml`: every German text of the report
- `__main__`: trains the stock pipeline, runs our bot, parses, and writes the report
"""
