"""Exit statuses, the same for every ``newsarchive`` command (listed in the README).

Scripts and schedulers branch on these, so one cause gets one status whatever the command.
"""

#: The command did what was asked.
OK = 0
#: It ran, and the result is bad: a crawl that lost pages or failed a health check, an
#: article or job not found, an export that found nothing it was asked for.
FAILED = 1
#: It could not start: a wrong option or argument, or an archive database that cannot be
#: used (malformed or unsupported URL, missing file for a read-only command, server down).
UNUSABLE = 2
#: Interrupted by Ctrl-C (SIGINT), as a shell reports 128 + 2.
INTERRUPTED = 130
