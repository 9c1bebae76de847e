"""`python -m app` runs the same command line as `finetune-studio`."""

from app.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
