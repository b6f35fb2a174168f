"""``python -m trainer``: the trainer's command-line tool (see ``--help``)."""

from trainer.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
