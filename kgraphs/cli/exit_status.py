"""The command line's exit statuses: 0 on success, 1 for anything else, 2 for a bad recipe or
bad usage (`diff`: 1 when the models differ, as diff(1))."""

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
