"""The only package that imports both algebra and training; home of the `landscape` CLI."""
