"""The one error type every tool raises for bad input or an unusable output path."""


class InputError(Exception):
    """Bad input (or output path): the message names the file and what is wrong.

    The tools turn it into one line on stderr and exit status 2.
    """

    def __init__(self, path, problem):
        self.path = None if path is None else str(path)
        self.problem = problem
        super().__init__(problem if path is None else f"{self.path}: {problem}")


class Failure(Exception):
    """A step failed (a build, a run, a recording): the message is printed, and the tool
    exits with `status` (1 unless said otherwise)."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status
