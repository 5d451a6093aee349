# H-LOG-001 (policies/log-access.rhai)
package policies.log_access

import data.kaiji

id := "H-LOG-001"

required := ["17.3", "17.3.1", "99", "99.1"]

fails contains q if {
	some q in required
	not kaiji.is_yes(q)
}

warns := set()

default status := "pass"

status := "fail" if count(fails) > 0
