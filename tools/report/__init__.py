"""`make report`: the NLU quality report (reports/report.md and reports/report.html).

- `keyword_baseline`: the plain keyword classifier the report compares against
- `tables`: pure functions that turn results into Markdown/HTML tables and diffs
- `__main__`: trains, evaluates and writes the report
"""
