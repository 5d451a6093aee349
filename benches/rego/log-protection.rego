# H-LOG-002 (policies/log-protection.rhai)
package policies.log_protection

import data.kaiji

id := "H-LOG-002"

fails contains "17.3" if kaiji.unanswered("17.3")

skipped if {
	kaiji.answered("17.3")
	not kaiji.is_yes("17.3")
}

unprotected if {
	kaiji.is_yes("17.3")
	not kaiji.is_yes("17.3.2")
}

warns contains "17.3.2" if {
	unprotected
	kaiji.is_yes("17.3.3")
}

fails contains "17.3.2" if {
	unprotected
	not kaiji.is_yes("17.3.3")
}

default status := "pass"

status := "fail" if {
	count(fails) > 0
} else := "skip" if {
	skipped
}
