"""One module per `landscape` command: each declares its options (add_parser) and runs them
(its cmd_* function); bridge.cli keeps the entry point. Shared option groups, limits and output
helpers are in bridge.commands.common."""
