"""``python -m trainer``: the trainer's command-line tool (see ``--help``)."""

from shop.masking import install as mask_personal_data_in_logs
from trainer.cli import main

if __name__ == "__main__":
    mask_personal_data_in_logs()  # buyers' messages pass through its logs
    raise SystemExit(main())
