"""Keep pytest out of these learner programs: their script parts would train or fail at import.
tests/test_check_source.py and tests/test_check_program.py load them without their scripts."""

collect_ignore_glob = ["*"]
