# H-AUTH-002 (policies/auth-password.rhai)
package policies.auth_password

import data.kaiji

id := "H-AUTH-002"

required := ["17.1.1.4", "17.1.1.5", "17.1.1.6", "17.1.1.7"]

advised := ["17.1.1.1", "17.1.1.2", "17.1.1.3"]

fails contains "17.1.1" if kaiji.unanswered("17.1.1")

skipped if {
	kaiji.answered("17.1.1")
	not kaiji.is_yes("17.1.1")
}

fails contains q if {
	kaiji.is_yes("17.1.1")
	some q in required
	not kaiji.is_yes(q)
}

warns contains q if {
	kaiji.is_yes("17.1.1")
	some q in advised
	not kaiji.is_yes(q)
}

default status := "pass"

status := "fail" if {
	count(fails) > 0
} else := "skip" if {
	skipped
}
