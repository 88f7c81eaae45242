"""`make review` and `make review-apply`: editors learn from real conversations.

- `conversations`  reads the tracker store (SQLite or PostgreSQL, as endpoints.yml) into turns
- `pseudonymise`   replaces e-mail addresses, phone numbers, names, birth dates, addresses
                   (word lists in patterns.yml, lexicon in lexicon.py)
- `analysis`       which messages to review, grouped by what the bot thought and by wording;
                   the figures per week
- `render`         reports/review.html (review.html.j2) and reports/review.yml
- `apply`          marked messages from reports/review.yml → examples in data/nlu*.yml
- `__main__`       the command line: `python -m tools.review [--since 7d]`,
                   `python -m tools.review apply`

Every German text is in texts.yml. Docs for editors: docs/review.md.
"""
