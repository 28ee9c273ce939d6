"""Started by Python in a process the tests launch: live on the suite's test day (see session_clock)."""

import session_clock

session_clock.start()
