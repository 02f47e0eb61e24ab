import sys

from tfsigns.cli import main

sys.exit(main())
