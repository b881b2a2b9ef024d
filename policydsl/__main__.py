"""`python -m policydsl` is the `policydsl` command."""

from .cli import main

main()
