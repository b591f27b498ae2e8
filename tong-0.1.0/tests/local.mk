# Test programs and the test runner (tests/run.sh).
