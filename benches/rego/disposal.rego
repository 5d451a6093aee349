# H-DSP-001 (policies/disposal.rhai)
package policies.disposal

import data.kaiji

id := "H-DSP-001"

required := ["32", "32.1", "32.2", "32.3", "33", "35"]

fails contains q if {
	some q in required
	not kaiji.is_yes(q)
}

fails contains "34" if {
	not kaiji.is_yes("34")
	not kaiji.is_na("34")
}

warns := set()

default status := "pass"

status := "fail" if count(fails) > 0
