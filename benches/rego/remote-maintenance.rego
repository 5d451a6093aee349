# H-MNT-001 (policies/remote-maintenance.rhai)
package policies.remote_maintenance

import data.kaiji

id := "H-MNT-001"

fails contains "74" if kaiji.unanswered("74")

skipped if {
	kaiji.answered("74")
	not kaiji.applies("74")
}

fails contains "48" if {
	kaiji.applies("74")
	not kaiji.is_yes("48")
}

fails contains "74.1" if {
	kaiji.applies("74")
	not kaiji.is_yes("74.1")
}

warns := set()

default status := "pass"

status := "fail" if {
	count(fails) > 0
} else := "skip" if {
	skipped
}
