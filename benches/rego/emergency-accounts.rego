# H-EMG-001 (policies/emergency-accounts.rhai)
package policies.emergency_accounts

import data.kaiji

id := "H-EMG-001"

required := ["57.1", "57.2", "57.3"]

fails contains "57" if not kaiji.is_yes("57")

fails contains q if {
	kaiji.is_yes("57")
	some q in required
	not kaiji.is_yes(q)
}

warns := set()

default status := "pass"

status := "fail" if count(fails) > 0
