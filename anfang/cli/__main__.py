"""`python -m anfang.cli`: the same as the `anfang` command."""

from anfang.cli import main

raise SystemExit(main())
