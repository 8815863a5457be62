"""``python -m cases.provision``: the provisioning command of ``cases.provision.cli``."""

import sys

from cases.provision.cli import main

sys.exit(main())
