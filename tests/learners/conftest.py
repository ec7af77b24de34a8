"""Keep pytest out of the learners' programs: they train at import time and read data files that
only the learners have. tests/test_learner_corpus.py loads them on purpose, without their scripts.
"""

collect_ignore_glob = ["*"]
