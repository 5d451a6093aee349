# H-ENC-001 (policies/encryption-carry-out.rhai)
package policies.encryption_carry_out

import data.kaiji

id := "H-ENC-001"

fails contains g if {
	some g in ["51", "53"]
	kaiji.unanswered(g)
}

skipped if {
	input.answers["51"] == "非該当"
	input.answers["53"] == "非該当"
}

fails contains "51.3" if {
	kaiji.applies("51")
	not kaiji.is_yes("51.3")
}

fails contains "53.7" if {
	kaiji.applies("53")
	not kaiji.is_yes("53.7")
}

warns := set()

default status := "pass"

status := "fail" if {
	count(fails) > 0
} else := "skip" if {
	skipped
}
