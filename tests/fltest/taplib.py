"""Minimal TAP output for the Python test scripts (meson protocol: 'tap')."""
import functools
import os
import sys
import traceback

_tests = []


def test(func):
    """Registers a test function; it fails by raising (assert) and skips via Skip."""
    _tests.append(func)
    return func


class Skip(Exception):
    pass


class Todo(Exception):
    """A known, reported bug: the check is printed as TAP "not ok # TODO"."""


def fixture(func):
    """A set-up that several tests share (a running server, a long run, an
    installation): func runs at its first call only, and every later call
    returns its result. A failed or skipped set-up is remembered too, so the
    tests that need it fail (or skip) at once instead of repeating it."""
    outcome = {}

    @functools.wraps(func)
    def shared():
        if not outcome:
            try:
                outcome["result"] = func()
            except Skip as reason:
                outcome["skip"] = str(reason)
                raise
            except Exception:
                outcome["error"] = traceback.format_exc().splitlines()[-1]
                raise
        if "skip" in outcome:
            raise Skip(outcome["skip"])
        if "error" in outcome:
            raise AssertionError(f"the shared set-up {func.__name__} failed earlier: "
                                 f"{outcome['error']}")
        return outcome["result"]
    return shared


def run_tests(after_each=None):
    """Runs the tests and returns how many failed; after_each (if given) runs
    after every test, pass or fail. FLTEST_ONLY=name[,name...] runs only those
    (the others are skipped), to chase one failure."""
    only = set(filter(None, os.environ.get("FLTEST_ONLY", "").split(",")))
    print(f"1..{len(_tests)}", flush=True)
    failed = 0
    for number, func in enumerate(_tests, 1):
        name = func.__name__
        if only and name not in only:
            print(f"ok {number} {name} # SKIP not in FLTEST_ONLY", flush=True)
            continue
        try:
            func()
        except Skip as reason:
            print(f"ok {number} {name} # SKIP {reason}", flush=True)
        except Todo as reason:
            print(f"not ok {number} {name} # TODO {reason}", flush=True)
        except Exception:  # noqa: BLE001 - every failure becomes a TAP line
            failed += 1
            reason = traceback.format_exc()
            print(f"not ok {number} {name}", flush=True)
            for line in reason.splitlines():
                print(f"# {line}", flush=True)
            # meson --print-errorlogs shows a TAP test's stderr only: the reason
            # must be there too, or a CI log says that a test failed but not why.
            print(f"not ok {number} {name}\n{reason}", file=sys.stderr, flush=True)
        else:
            print(f"ok {number} {name}", flush=True)
        finally:
            if after_each is not None:
                after_each()
    return failed


def run(after_each=None):
    """run_tests, then exit with its verdict."""
    sys.exit(1 if run_tests(after_each) else 0)
