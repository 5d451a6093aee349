# H-ENC-002 (policies/encryption-exchange.rhai)
package policies.encryption_exchange

import data.kaiji

id := "H-ENC-002"

fails contains "71" if not kaiji.is_yes("71")

fails contains "71.1" if {
	kaiji.is_yes("71")
	not kaiji.is_yes("71.1")
}

warns := set()

default status := "pass"

status := "fail" if count(fails) > 0
