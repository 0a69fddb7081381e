import sys

from careapp.hospital_sim.cli import main

sys.exit(main())
