"""The ending every tests/system script shares: run the tests, print a count, and
exit 77 (ctest's SKIP_RETURN_CODE) when every test skipped, 1 when one failed."""
import sys
import unittest


def main():
    result = unittest.main(module="__main__", exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    # A skip in setUpClass counts as skipped without counting as run.
    passed = max(0, result.testsRun - failed - skipped)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    sys.exit(1 if failed else (77 if passed == 0 and skipped else 0))
