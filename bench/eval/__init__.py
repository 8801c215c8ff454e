"""`make eval`: sections and summaries measured on labelled pages of our own writing.

The pages and their labels are described in ``README.md`` beside this file; ``corpus`` reads
them, ``run`` collects them through the product's sources, ``score`` judges (a thin margin is
the classifier's own verdict, stored on the article).
"""
