"""The single error type the report raises for bad input or an unusable output path."""


class ReportInputError(Exception):
    """Bad input (or output path): the message names the file and what is wrong.

    report.py turns it into one line on stderr and exit status 2.
    """

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
